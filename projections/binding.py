"""Which store a views file was built from, so views never answer for another store.

With every batch the runner records, in the same DuckDB transaction as the rows, the store's
identity (a random id created with the store's tables) and the hash-chain link of the tracked
position. The link covers every event up to that position (``domain.stores.tamper_evidence``), so a store
holding the same link there holds exactly the events the views were built from. On opening:
- another store, or a store that no longer has that link (replaced, rolled back, rewritten):
  the views are a cache, so they are rebuilt from the store at hand;
- a views file that disagrees with itself (tracking position edited, rows added or removed):
  refused with "rebuild the views" (``ViewsDamaged``), as it was edited or damaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from domain.stores.port import LedgerStore
from projections.view_store import REBUILD_HINT, ViewsDamaged


@dataclass(frozen=True)
class Binding:
    store_id: str | None
    position: int
    link: bytes | None
    events: int


def record(con: duckdb.DuckDBPyConnection, recorder: LedgerStore, store_id: str | None, position: int) -> None:
    """Bind the views to the store at ``position``; call inside the transaction that moves the tracking."""
    con.execute(
        "INSERT INTO views_binding SELECT 'ledger', ?, ?, ?, (SELECT count(*) FROM event_log)"
        " ON CONFLICT (name) DO UPDATE SET store_id = excluded.store_id, position = excluded.position,"
        " link = excluded.link, events = excluded.events",
        [store_id, position, recorder.chain_link(position)],
    )


def read(con: duckdb.DuckDBPyConnection) -> Binding | None:
    row = con.execute("SELECT store_id, position, link, events FROM views_binding WHERE name = 'ledger'").fetchone()
    return None if row is None else Binding(row[0], int(row[1]), None if row[2] is None else bytes(row[2]),
                                             int(row[3]))


def consistency_problem(con: duckdb.DuckDBPyConnection) -> str | None:
    """What makes the views disagree with themselves (cheap checks), or None."""
    tracked = con.execute("SELECT position FROM projection_tracking WHERE name = 'ledger'").fetchone()
    position = int(tracked[0]) if tracked else -1
    count, highest = con.execute("SELECT count(*), coalesce(max(position), 0) FROM event_log").fetchone() or (0, 0)
    bound = read(con)
    if bound is None:
        return None if position == 0 and count == 0 else "binding"
    if bound.position != position:
        return f"its tracking position {position} differs from the position it recorded ({bound.position})"
    if highest != position:
        return f"its newest event row is at position {highest}, its tracking position is {position}"
    if count != bound.events:
        return f"it holds {count} event rows where it recorded {bound.events}"
    return None


def rebuild_reason(con: duckdb.DuckDBPyConnection, recorder: LedgerStore) -> str | None:
    """Why these views cannot serve this store and must be rebuilt from it, or None when they can.

    Raises ``ViewsDamaged`` when the views file disagrees with itself.
    """
    problem = consistency_problem(con)
    if problem == "binding":
        return "the views file predates store binding"
    if problem is not None:
        raise ViewsDamaged(f"the views file was edited or damaged: {problem}; {REBUILD_HINT}")
    bound = read(con)
    if bound is None or bound.position == 0:
        return None
    if bound.store_id != recorder.store_identity():
        return "the views were built from another store"
    link = recorder.chain_link(bound.position)
    if link is None:
        return f"the store has no event at the views' position {bound.position} (rolled back or replaced)"
    if link != bound.link:
        return f"the store's event at the views' position {bound.position} differs (the store was replaced)"
    return None
