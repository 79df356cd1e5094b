"""DuckDB opens a rebuild page's sealed texts on several threads at once (``projections.page_sql``): a reader
asked for one subject's key by two threads must give both the text, never ``[forgotten]`` to the one that
came while the other was still looking the key up."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

from domain import personal_data as pd


class SlowKeys:
    """A key table whose every look-up takes a store's round trip (so two threads overlap in it)."""

    def __init__(self) -> None:
        self.rows: dict[str, pd.KeyRow] = {}

    def subject_keys(self, subjects: Collection[str] | None, *, create: bool = False) -> dict[str, pd.KeyRow]:
        if create and subjects is not None:
            for subject in subjects:
                self.rows.setdefault(subject, pd.new_key_row())
        time.sleep(0.02)
        return {k: v for k, v in self.rows.items() if subjects is None or k in subjects}

    def destroy_subject_key(self, subject: str) -> bool:
        return self.rows.pop(subject, None) is not None


def _opened_on_three_threads(reader: pd.Revealer, sealed: str) -> list[list[object]]:
    opened: list[list[object]] = []
    threads = [threading.Thread(target=lambda: opened.append(reader.reveal_all([sealed]))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return opened


def test_two_threads_opening_one_subjects_text_both_read_it() -> None:
    keys = SlowKeys()
    sealer = pd.Sealer(keys)
    sealer.prepare(["client:a"])
    sealed = sealer.seal("client:a", "the box arrived crushed")
    for _ in range(10):
        assert _opened_on_three_threads(pd.Revealer(keys), sealed) == [["the box arrived crushed"]] * 3


def test_a_destroyed_key_still_reads_forgotten_on_every_thread() -> None:
    keys = SlowKeys()
    sealer = pd.Sealer(keys)
    sealer.prepare(["client:b"])
    sealed = sealer.seal("client:b", "call me at home")
    keys.destroy_subject_key("client:b")
    assert _opened_on_three_threads(pd.Revealer(keys), sealed) == [[pd.FORGOTTEN]] * 3
