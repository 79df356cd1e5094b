"""The edges of a forget whose event could not be recorded after the key was destroyed: the caller learns that the
key is gone even when rebuilding the views fails too; and a forget recorded without a key id (its rerun) still
tells a views build that opened the subject's data that it raced the forget."""

from __future__ import annotations

from typing import Any

import pytest

from domain.personal_data import ErasureNotRecorded
from domain.service.forget import forget_subject
from projections.forgetting import raced


class Unrecorded:
    def forget(self, *args: Any, **kwargs: Any) -> Any:
        raise ErasureNotRecorded("the key of client:x is destroyed; run the same forget again", "client:x")


class FailingViews:
    def rebuild(self) -> int:
        raise RuntimeError("reading the store failed (connection lost)")


def test_the_caller_learns_the_key_is_gone_even_when_the_rebuild_fails() -> None:
    with pytest.raises(ErasureNotRecorded, match=r"is destroyed.*rebuilding the views failed too") as caught:
        forget_subject(Unrecorded(), "client", "x", "ticket", views=FailingViews())  # type: ignore[arg-type]
    assert caught.value.subject == "client:x"


def test_a_forget_without_a_key_id_counts_against_every_key_of_its_subject() -> None:
    revealed = {("client:x", "k1"), ("client:y", "k2")}
    assert raced([(5, "client:x", "k1")], revealed)
    assert not raced([(5, "client:x", "k9")], revealed)  # another key of the subject: not opened by this build
    assert raced([(5, "client:x", None)], revealed)  # the rerun of a forget whose key an earlier run destroyed
    assert not raced([(5, "client:z", None)], revealed)
