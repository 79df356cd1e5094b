"""Statements parsed once per process and run as often as asked.

DuckDB parses the text of every statement it is given anew. The statements of an as-of answer are planned anew
each time (their parameters, the moment among them, change), but their text does not: parsing it once and running
a copy of the parsed statement (what DuckDB's ``execute`` does with one) saves a tenth of each one's cost.
A parse keeps the parser settings of its first connection: none are set on the views' connections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

KEPT = 512
"""Texts kept parsed: the answers' statements are a few dozen texts, made of constants."""
_parsed: dict[str, duckdb.Statement] = {}


def run(con: duckdb.DuckDBPyConnection, sql: str,
        parameters: Mapping[str, Any] | Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
    """``con.execute(sql, parameters)`` with ``sql`` (one statement) parsed once. A parsed statement names its
    tables without binding them, so one parse serves every connection and views file."""
    statement = _parsed.get(sql)
    if statement is None:
        (statement,) = con.extract_statements(sql)
        if len(_parsed) >= KEPT:
            _parsed.clear()
        _parsed[sql] = statement
    return con.execute(statement, parameters)
