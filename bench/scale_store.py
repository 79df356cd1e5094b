"""The million-event store the scale benchmarks run on, built the way the import writes it, fast.

One team with an agreed weekly promise, then 89% readings of its metric, 10% complaints on the team and 1%
resolutions of the oldest complaints (at 1M: 889,996 readings, 100,000 complaints, 90,000 of them open). The bulk
is written in the stored form the import writes (checked against the mapper's bytes), complaint and resolution
texts sealed under the client's key as the import seals them, through the store's own recorder, so the hash chain
is the real one: seconds instead of the minutes an import of a million lines takes. ``scale_store`` keeps the
stores for later runs when asked.
"""


from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from bench.bench_common import POSTGRES, fresh_store
from bench.bench_projections import PROMISE_LINES
from domain.base import key_id
from domain.feedback import Feedback
from domain.metric import Reading
from domain.personal_data import Sealer, client_subject
from domain.service.ledger import Ledger
from domain.stores.chain_rows import new_events
from domain.stores.tamper_evidence import GENESIS_HEAD, ChainHead, extend_chain
from domain.topics import event_topic
from scripts.import_file import import_lines

if TYPE_CHECKING:
    from domain.stores.postgres import LedgerPostgresRecorder


SETUP_LINES = [
    {"type": "DefineMetric", "id": "bench-metric", "metric": "ontime", "name": "On time", "unit": "%",
     "direction": "higher_is_better", "at": "2025-12-01T00:00:00Z"},
    *PROMISE_LINES,
]
START = datetime(2026, 1, 5, tzinfo=UTC)
BULK_BATCH = 20_000


def _stored(topic: str, aggregate_topic: str | None, oid: str, version: int, at: datetime,
            correlation: str, fields: dict[str, Any], recorded: dict[str, str]) -> StoredEvent:
    """One stored event in the ledger's format: the mapper's state dict, serialised as it does."""
    state: dict[str, Any] = {"timestamp": recorded}
    if aggregate_topic is not None:
        state["originator_topic"] = aggregate_topic
    state["audit"] = {"_type_": "audit", "_data_": {"at": at.isoformat(), "actor": None, "reason": None,
                                                     "correlation": correlation}}
    state.update(fields)
    return StoredEvent(originator_id=oid, originator_version=version, topic=topic, state=orjson.dumps(state))


READING_RECORDED = event_topic(Reading, "Recorded")
FEEDBACK_RECORDED = event_topic(Feedback, "Recorded")
FEEDBACK_RESOLVED = event_topic(Feedback, "Resolved")


def bulk_counts(n: int) -> tuple[int, int, int]:
    """How many readings, complaints and resolutions (of the oldest complaints) n bulk events hold."""
    return n - n // 10 - n // 100, n // 10, n // 100


def bulk_events(n: int, sealer: Sealer) -> Iterator[StoredEvent]:
    """n events: 89% readings, 10% complaints on the team and 1% resolutions of the oldest complaints, their
    texts sealed under the client's key by ``sealer``, as an import seals them (``Feedback.sealed``)."""
    recorded = {"_type_": "datetime_iso", "_data_": datetime.now(UTC).isoformat()}
    readings, complaints, resolutions = bulk_counts(n)
    subject = client_subject("shoppers")
    step = timedelta(seconds=20)
    feedback_step = timedelta(seconds=180)
    for i in range(readings):
        key = f"bench-r{i}"
        yield _stored(READING_RECORDED, get_topic(Reading), key_id(Reading.KIND, key).hex, 1,
                      START + i * step, key, {"key": key, "metric": "ontime", "value": 80 + (i * 7919) % 200 / 10},
                      recorded)
    for i in range(complaints):
        key = f"bench-f{i}"
        at = START + i * feedback_step
        yield _stored(FEEDBACK_RECORDED, get_topic(Feedback),
                      key_id(Feedback.KIND, key).hex, 1, at, key,
                      {"key": key, "client": "shoppers", "kind": "complaint", "channel": "app",
                       "text": sealer.seal(subject, f"order {i} arrived late"), "rating": None, "team": "delivery",
                       "promise": None,
                       "occurred_at": {"_type_": "datetime_iso", "_data_": at.isoformat()}}, recorded)
    for i in range(resolutions):
        key = f"bench-f{i}"
        yield _stored(FEEDBACK_RESOLVED, None, key_id(Feedback.KIND, key).hex, 2,
                      START + timedelta(days=400) + i * step, f"bench-x{i}",
                      {"resolution": sealer.seal(subject, "refunded")}, recorded)


def check_stored_form(ledger: Ledger, sealer: Sealer) -> None:
    """The bulk events decode through the library's mapper to the same state the domain would store."""
    for stored in (next(bulk_events(100, sealer)), list(bulk_events(100, sealer))[-1]):
        event = ledger.mapper.to_domain_event(stored)
        again = ledger.mapper.to_stored_event(event)
        if (again.state, again.topic) != (stored.state, stored.topic):
            raise AssertionError(f"bulk stored form differs from the mapper's: {stored.state!r} vs {again.state!r}")


def build_store(url: str, n: int) -> int:
    """The setup through a real import, then the bulk through the recorder (chain included)."""
    ledger = Ledger.open(url)
    try:
        result = import_lines(ledger, [json.dumps(line) for line in SETUP_LINES])
        assert not result.errors, result.errors
        sealer = Sealer(ledger.store)
        check_stored_form(ledger, sealer)
        from domain.stores.postgres import LedgerPostgresRecorder  # psycopg: for PostgreSQL stores alone

        store = ledger.store
        append = partial(copy_postgres, store) if isinstance(store, LedgerPostgresRecorder) else store.insert_events
        batch: list[StoredEvent] = []
        for stored in bulk_events(n - int(ledger.store.max_notification_id() or 0), sealer):
            batch.append(stored)
            if len(batch) == BULK_BATCH:
                append(batch)
                batch = []
        if batch:
            append(batch)
        if isinstance(store, LedgerPostgresRecorder):
            vacuum_analyze(store)
        return int(ledger.store.max_notification_id() or 0)
    finally:
        ledger.close()


def copy_postgres(recorder: LedgerPostgresRecorder, events: list[StoredEvent]) -> None:
    """The recorder's append with COPY (its row-by-row insert takes an hour for a million events here):
    the same rows, positions and chain links (``extend_chain``), under the same exclusive lock."""
    from psycopg.sql import SQL

    with recorder.datastore.transaction(commit=True) as curs:
        # the chain is hashed in Python between the two COPYs: on a busy machine that outlasts the store's
        # idle-in-transaction timeout, which is for sessions left hanging, not for this one
        curs.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
        curs.execute(SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(recorder.events_table))
        curs.execute(SQL("SELECT coalesce(max(notification_id), 0) AS last FROM {}").format(recorder.events_table))
        last = curs.fetchone()
        first = int(last["last"] if last else 0) + 1
        ids = list(range(first, first + len(events)))
        with curs.copy(SQL("COPY {} (notification_id, originator_id, originator_version, topic, state) FROM STDIN"
                           ).format(recorder.events_table)) as copy:
            for position, stored in zip(ids, events, strict=True):
                copy.write_row((position, stored.originator_id, stored.originator_version, stored.topic,
                                stored.state))
        curs.execute(SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)"),
                     (recorder.events_table.as_string(curs.connection), ids[-1]))
        curs.execute(SQL("SELECT notification_id, events, link FROM {}").format(recorder.head_table))
        row = curs.fetchone()
        head = ChainHead(row["notification_id"], row["events"], bytes(row["link"])) if row else GENESIS_HEAD
        links, head = extend_chain(head, new_events(ids, events))
        with curs.copy(SQL("COPY {} (notification_id, link, previous_id) FROM STDIN").format(
                recorder.chain_table)) as copy:
            for link in links:
                copy.write_row(link)
        curs.execute(SQL("INSERT INTO {} VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET"
                         " notification_id = excluded.notification_id, events = excluded.events,"
                         " link = excluded.link").format(recorder.head_table), (head.position, head.events, head.link))

def vacuum_analyze(recorder: LedgerPostgresRecorder) -> None:
    """``VACUUM ANALYZE`` of the bulk-written tables, as an operator runs after a bulk load: on a server with
    autovacuum on, its vacuum and analyze of a million fresh rows would otherwise start within a minute, on the
    same cores as the commands the benchmark times next."""
    from psycopg.sql import SQL

    with recorder.datastore.cursor() as curs:  # the pool's connections commit each statement (VACUUM needs it)
        for table in (recorder.events_table, recorder.chain_table):
            curs.execute(SQL("VACUUM ANALYZE {}").format(table))


@contextmanager
def scale_store(kind: str, workdir: Path, n: int, reuse: bool) -> Iterator[tuple[str, float]]:
    """A store of n events and the seconds its building took; ``reuse`` keeps a SQLite file, or a PostgreSQL
    schema of a fixed name, between runs (a million events take minutes to build)."""
    path = workdir / f"scale_{n}.db"
    if reuse and kind == "sqlite" and path.exists():
        yield f"sqlite:///{path}", 0.0
        return
    if reuse and kind == "postgres":
        yield kept_postgres_store(n)
        return
    with fresh_store(kind, workdir, f"scale_{n}") as url:
        started = time.perf_counter()
        build_store(url, n)
        yield url, time.perf_counter() - started


def kept_postgres_store(n: int) -> tuple[str, float]:
    """The schema ``scale_<n>`` of the benchmark's database, built if it does not hold n events, never dropped."""
    schema = f"scale_{n}"
    url = f"{POSTGRES}?schema={schema}"
    ledger = Ledger.open(url)
    try:
        if (ledger.store.max_notification_id() or 0) == n:
            return url, 0.0
    finally:
        ledger.close()
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as conn:  # a partial build (interrupted): start again
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    started = time.perf_counter()
    build_store(url, n)
    return url, time.perf_counter() - started
