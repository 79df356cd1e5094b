"""Statements parsed once (``parsed_sql.run``) answer as their text does: on any connection and views file, after
the connection that parsed them closed, with named, positional and list parameters, from many threads at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from projections import parsed_sql
from projections.parsed_sql import run

NAMED = "SELECT sum(v) FROM t WHERE v <= $most AND list_contains($keep::BIGINT[], v)"
POSITIONAL = "SELECT count(*) FROM t WHERE v > ?"


def _file(path: Path, values: range) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT range AS v FROM range(?, ?)", [values.start, values.stop])
    return con


def test_one_parse_serves_every_file_and_outlives_its_connection(tmp_path: Path) -> None:
    parsed_sql._parsed.clear()
    first = _file(tmp_path / "a.duckdb", range(0, 10))
    assert run(first, NAMED, {"most": 5, "keep": [1, 2, 9]}).fetchone() == (3,)
    first.close()
    second = _file(tmp_path / "b.duckdb", range(100, 110))
    assert NAMED in parsed_sql._parsed  # the same parse, on another file
    assert run(second, NAMED, {"most": 105, "keep": [100, 101, 109]}).fetchone() == (201,)
    assert run(second, POSITIONAL, [107]).fetchone() == second.execute(POSITIONAL, [107]).fetchone() == (2,)


def test_threads_with_their_own_cursors_share_the_parses(tmp_path: Path) -> None:
    con = _file(tmp_path / "c.duckdb", range(0, 1000))

    def ask(n: int) -> tuple[int, ...]:
        cursor = con.cursor()
        try:
            if n % 50 == 0:
                parsed_sql._parsed.clear()
            return (run(cursor, POSITIONAL, [n % 1000]).fetchone() or (None,))[0], n
        finally:
            cursor.close()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, range(400)))
    assert answers == [(999 - n % 1000, n) for n in range(400)]
