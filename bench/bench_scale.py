"""Benchmark at scale: a million events, and how long a user waits for each command.

    python -m bench.bench_scale [--n 1000000] [--stores sqlite,postgres] [--json] [--workdir DIR]

``--workdir`` keeps the stores for later runs: the SQLite file there, the PostgreSQL one as the schema ``scale_<n>``.

The store holds one team with an agreed weekly promise, then 89% readings of its metric, 10%
complaints on the team and 1% resolutions of the oldest complaints (at 1M: 889,996 readings,
100,000 complaints, 90,000 of them open). The bulk is written in the stored form the import writes
(checked against the mapper's bytes below), complaint and resolution texts sealed under the client's key
as the import seals them, through the store's own recorder, so the hash chain is the real one; building it
this way takes seconds instead of the minutes an import of a million lines takes.

Measured, each in a new process as a user runs it: ``project --rebuild`` (wall time and peak
RSS from ``RUSAGE_CHILDREN``), ``verify``, and the median of several runs of ``promise show``,
``team show``, ``client show``, ``signals --json`` (the whole company's) and their ``--as-of`` forms (and the
signals' own CPU inside a process, ``bench_signals``); beside
them the raw library's read+decode of the same store (``select_notifications`` + ``mapper.to_domain_event``) in
the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
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

from bench.bench_common import POSTGRES, fresh_store, report
from bench.bench_projections import PROMISE_LINES, raw_read_decode
from bench.bench_signals import signals_in_process
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
AS_OF = "2026-06-15T12:00:00Z"


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


MEASURE_CHILD = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "s = time.perf_counter() - t\n"
    "sys.stderr.buffer.write(done.stderr)\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(done.returncode, s, r.ru_maxrss, r.ru_utime + r.ru_stime)\n"
)


def run_cli(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system, its worker processes included) of
    one CLI command in a new process. CPU time says what the command costs when the shared
    machine's wall time says mostly how busy the others were.

    A fresh wrapper process runs it, so ``RUSAGE_CHILDREN`` there covers exactly that command.
    """
    done = subprocess.run([sys.executable, "-c", MEASURE_CHILD, sys.executable, "-m", "scripts", *args],
                          capture_output=True, text=True)
    code, seconds, max_rss_kb, cpu = done.stdout.split()
    if int(code) != 0:
        raise RuntimeError(f"{args} failed: {done.stderr}")
    return float(seconds), int(max_rss_kb) / 1024, float(cpu)


def median_cli(args: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of several runs."""
    runs = [run_cli(args) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[2] for r in runs)


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


def bench(kind: str, n: int, workdir: Path, repeat: int, reuse: bool) -> dict[str, object]:
    with scale_store(kind, workdir, n, reuse) as (url, build_seconds):
        ledger = Ledger.open(url)
        events = ledger.store.max_notification_id()
        ledger.close()
        raw_cpu = time.process_time()
        raw_seconds, count = raw_read_decode(url, batch=5000)
        raw_cpu = time.process_time() - raw_cpu
        views = workdir / f"views-{kind}.duckdb"
        where = ["--store", url, "--views", str(views)]
        rebuild_seconds, rebuild_rss, rebuild_cpu = run_cli(["project", "--rebuild", *where])
        verify_seconds, verify_rss, verify_cpu = run_cli(["verify", "--store", url])
        promise = ["promise", "show", "p-ontime", "--json", *where]
        team = ["team", "show", "delivery", "--json", *where]
        client = ["client", "show", "shoppers", "--json", *where]  # every complaint is this client's
        signals = ["signals", "--json", *where]  # the whole company's, as of now and as of AS_OF
        row: dict[str, object] = {
            "store": kind,
            "events": events,
            "build_s": build_seconds,
            "raw_read_decode_s": raw_seconds,
            "raw_read_decode_cpu_s": raw_cpu,
            "raw_read_decode_per_s": count / raw_seconds,
            "rebuild_s": rebuild_seconds,
            "rebuild_cpu_s": rebuild_cpu,
            "rebuild_per_s": count / rebuild_seconds,
            "rebuild_vs_raw": raw_seconds / rebuild_seconds,
            "rebuild_peak_rss_mb": rebuild_rss,
            "verify_s": verify_seconds,
            "verify_cpu_s": verify_cpu,
            "verify_peak_rss_mb": verify_rss,
        }
        for name, args in (("promise_show", promise), ("promise_show_as_of", [*promise, "--as-of", AS_OF]),
                           ("team_show", team), ("team_show_as_of", [*team, "--as-of", AS_OF]),
                           ("client_show", client), ("client_show_as_of", [*client, "--as-of", AS_OF]),
                           ("signals", signals), ("signals_as_of", [*signals, "--as-of", AS_OF])):
            row[f"{name}_s"], row[f"{name}_cpu_s"] = median_cli(args, repeat)
        row.update({f"in_process_{k}": v for k, v in signals_in_process(views).items()})  # the signals' own part
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--stores", default="sqlite")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each show command (the median is shown)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workdir", type=Path, help="keep the SQLite store here (and the PostgreSQL"
                        " one as schema scale_<n>) and reuse it in later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        rows = [bench(kind, args.n, workdir, args.repeat, args.workdir is not None)
                for kind in args.stores.split(",")]
    loadavg = Path("/proc/loadavg")
    load = loadavg.read_text().split()[:3] if loadavg.exists() else []
    rows.append({"load_average_1_5_15": " ".join(load)})
    report(f"scale: {args.n:,} events", rows, args.json)


if __name__ == "__main__":
    main()
