"""Views that forget: after a ``forget``, no plaintext of the subject may stay in the views file.

The projector writes personal text in plaintext while its subject's key exists (analysts query
the views with SQL). Once a ``SubjectForgotten`` event reaches a views file, rows can be updated,
but DuckDB's free blocks would still hold the old bytes: the only safe scrub is a rebuild into a
new file that replaces the old one (``runner.rebuild``), which reads the destroyed key's data as
``[forgotten]``. ``views_meta.clean_through`` remembers the last forget a file was built after.
"""

from __future__ import annotations

from typing import Any

import duckdb

CLEAN_THROUGH = "clean_through"


def _clean_through(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT value FROM views_meta WHERE key = ?", [CLEAN_THROUGH]).fetchone()
    return int(row[0]) if row else 0


def needs_rebuild(con: duckdb.DuckDBPyConnection) -> bool:
    """True when a forget reached this file after it was built: it may hold the subject's plaintext."""
    row = con.execute("SELECT max(position) FROM forgotten_subjects").fetchone()
    return bool(row and row[0] is not None and row[0] > _clean_through(con))


def mark_clean(con: duckdb.DuckDBPyConnection, revealed: set[tuple[str, str]]) -> None:
    """After building a file from zero: it holds no forgotten plaintext, unless this build opened
    data of a key that a forget in it destroyed (the forget raced the build: build again)."""
    rows = con.execute("SELECT position, subject, key_id FROM forgotten_subjects").fetchall()
    if not rows or raced(rows, revealed):
        return
    con.execute("INSERT OR REPLACE INTO views_meta VALUES (?, ?)", [CLEAN_THROUGH, str(max(p for p, _, _ in rows))])


def raced(forgotten: list[tuple[int, str, str | None]], revealed: set[tuple[str, str]]) -> bool:
    """Whether a build opened data of a key one of the ``forgotten`` (position, subject, key id) destroyed. A forget
    that names no key (run again after its first run destroyed the key but could not record it, or of a subject
    that had none left) counts against every key of its subject the build opened."""
    subjects = {subject for subject, _ in revealed}
    return any((subject, kid) in revealed or (kid is None and subject in subjects) for _, subject, kid in forgotten)


def catch_up_forgetting(runner: Any, progress: Any = None, *, refresh: bool = True) -> tuple[Any, bool]:
    """``runner.catch_up``, and whether the file must now be rebuilt to drop forgotten plaintext."""
    fresh = runner.position() == 0
    result = runner.catch_up(progress, refresh=refresh)
    if fresh:
        mark_clean(runner.con, runner.revealer.revealed)
    return result, needs_rebuild(runner.con)
