"""A page's high-volume topics (``projections.columnar.COLUMNAR``) appended by DuckDB SQL, in one pass.

Personal text is stored sealed (``domain.personal_data``) and kept plain in the views: the SQL opens it
as it inserts it, through ``REVEAL``, a vectorised Python function over a whole column (DuckDB hands it
Arrow arrays of up to 2,048 texts). It opens them with the runner's ``Revealer``, so a destroyed key
reads as ``[forgotten]`` and every key opened is in ``revealed`` (``projections.forgetting``).
Reading the inserted texts back and updating them cost a second pass over every sealed column.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.func import ARROW

from domain.personal_data import PREFIX, Revealer
from domain.topics import class_topic
from projections.arrow_columns import text
from projections.columnar import COLUMNAR, EVENT_LOG_SQL, EVENT_LOG_SQL_FIRST_EVENTS, REVEAL, columnar_sql
from projections.stored_form import topic_names


def bind_reveal(con: duckdb.DuckDBPyConnection, revealer: Revealer) -> Reveal:
    """``REVEAL`` on this connection, opening with ``revealer`` (a connection another runner used is bound
    again). Outside any page's transaction: a rollback would drop the function but not its registration."""
    reveal = Reveal(revealer)
    con.complete()  # a read of one row leaves its result open, and DuckDB binds no function beside one
    with suppress(duckdb.InvalidInputException):  # not bound yet
        con.remove_function(REVEAL)
    con.create_function(REVEAL, reveal, ["varchar"], "varchar", type=ARROW)
    return reveal


def project_page(con: duckdb.DuckDBPyConnection, page: pa.Table, reveal: Reveal) -> list[str]:
    """Append a page's ``event_log`` rows and its ``COLUMNAR`` topics' rows, inside the caller's transaction
    (``REVEAL`` bound by ``bind_reveal``); returns the stored topics projected (the Python projector takes
    the others)."""
    stored = page.column("topic").unique().to_pylist()
    names = {topic: topic_names(topic) for topic in stored}
    classes = {topic: class_topic(topic) or topic for topic in stored}
    page_topics = pa.table({
        "topic": text(list(names), pa.string()),
        "aggregate_type": text([aggregate_type for aggregate_type, _ in names.values()], pa.string()),
        "event": text([event for _, event in names.values()], pa.string()),
        "class_topic": text([classes[topic] for topic in names], pa.string()),
    })
    first, last = page.column("position")[0].as_py(), page.column("position")[-1].as_py()
    later_events = pc.max(page.column("version")).as_py() > 1
    sql_of = columnar_sql()
    reveal.error = None
    con.register("page", page)
    con.register("page_topics", page_topics)
    try:
        con.execute(EVENT_LOG_SQL if later_events else EVENT_LOG_SQL_FIRST_EVENTS)
        for topic in set(classes.values()) & COLUMNAR.keys():
            sql = sql_of[topic]
            con.execute(sql, {"first": first, "last": last} if "$first" in sql else None)
    except duckdb.Error:
        reveal.raise_own()
        raise
    finally:
        with suppress(duckdb.TransactionException):  # aborted: the caller's rollback drops them with the page
            con.unregister("page")
            con.unregister("page_topics")
    return [topic for topic, class_ in classes.items() if class_ in COLUMNAR]


class Reveal:
    """``REVEAL`` over one Arrow array of texts: the sealed ones opened in one batch, the rest as they are.

    It keeps what it raised: DuckDB passes on only its text, as an ``InvalidInputException``, so a
    damaged key, the key table's store failing, or Ctrl-C (``KeyboardInterrupt``) landing in the function
    would all read as a DuckDB error, and no caller could tell an interrupt or an unreachable store."""

    def __init__(self, revealer: Revealer) -> None:
        self.revealer = revealer
        self.error: BaseException | None = None
        """The first exception of the current statement (DuckDB may call the function on several threads)."""

    def raise_own(self) -> None:
        """Raise what the function raised, if it did (DuckDB's error, being handled, stays its context)."""
        error, self.error = self.error, None
        if error is not None:
            raise error

    def __call__(self, texts: pa.ChunkedArray) -> Any:
        try:
            if not pc.any(pc.starts_with(texts, PREFIX)).as_py():
                return texts
            return text(self.revealer.reveal_all(texts.to_pylist()), pa.string())
        except BaseException as error:
            if self.error is None:
                self.error = error
            raise
