"""The kinds ``clientocracy list KIND`` offers (``projections.list_kinds``, which the CLI imports without
DuckDB) are the lists there are, in the same order."""

from __future__ import annotations

from projections.list_kinds import KINDS
from projections.lists import LISTS


def test_the_offered_kinds_are_the_lists() -> None:
    assert tuple(LISTS) == KINDS
