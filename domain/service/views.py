"""Reading views caught up with the store: the rule every reader follows, written once.

The views are a cache of the store, kept in files the service does not know the format of; a
``Views`` port (``projections.views_file.ViewsFile`` implements it on a DuckDB file) catches up and
rebuilds. The rule: once a forgotten subject reaches a views file, its plaintext may linger in the
file's free blocks, so the file is rebuilt from zero (the destroyed key's text reads ``[forgotten]``).
This module imports nothing heavy: the show commands' short road goes through it.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Views(Protocol[R_co]):
    """A views file the service can bring up to date (``R``: what a catch-up reports)."""

    def catch_up(self) -> tuple[R_co, bool]:
        """Project the store's new events; True beside the report when a subject was forgotten since
        the file was built (it may hold the subject's plaintext)."""
        ...

    def rebuild(self) -> R_co:
        """Build the views from zero in a new file and switch to it."""
        ...


def caught_up(views: Views[R]) -> R:
    """Bring ``views`` up to date with the store; a forget it meets since its build rebuilds it."""
    report, forgotten = views.catch_up()
    return views.rebuild() if forgotten else report
