"""Rows of a DuckDB answer as dicts by column name, the shape every show answer is built from."""

from __future__ import annotations

from typing import Any

import duckdb


def dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
