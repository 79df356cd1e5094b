"""One consistent read of a views file, for answers kept under what they were read at.

A server's catch-up commits pages between a reader's statements: each statement of a cursor in autocommit mode
sees the views as they are when it runs, so an answer read in several statements may mix two positions. An
answer kept in a cache under a key read in one statement (a position, table versions, a latest fact time) and
computed in later ones may then hold facts its key does not name, and be served to readers it is wrong for (as
of an earlier moment, a fact dated after it). ``snapshot`` runs a reader's statements in one DuckDB transaction:
they all see the views as of its first one, while the catch-up goes on committing (DuckDB's readers never block
its writer, nor the writer them).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb

_open: set[int] = set()
"""The connections (by id) inside a ``snapshot`` now: DuckDB cannot say whether one is in a transaction, and a
``BEGIN`` tried in one ends it."""


@contextmanager
def snapshot(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``con``'s statements within, read from one snapshot of the views. Within an outer ``snapshot`` of ``con``,
    that one is the snapshot (neither nested nor ended). Not for a connection in a transaction begun otherwise.
    A failed statement ends the transaction for every later one: within, errors are to be avoided, not caught."""
    if id(con) in _open:
        yield con
        return
    con.execute("BEGIN TRANSACTION")
    _open.add(id(con))
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:  # the cursor is the thread's for its next reads: never left in the transaction
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        _open.discard(id(con))

