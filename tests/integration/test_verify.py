"""Tamper evidence: `clientocracy verify` after someone edits the store behind the application's back.

The store is changed with the database's own client (sqlite3, psycopg), exactly as a tamperer
would; verify must exit non-zero and name the first bad position, for a change, a deletion,
an insertion and a reordering of the first, a middle and the last event. Concurrent writers
on PostgreSQL must still leave one unbroken chain.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from domain.service.ledger import Ledger
from scripts.cli import app
from scripts.import_file import import_lines
from tests.support.cli import jsonl, run_cli
from tests.support.race import race
from tests.support.scenario import Scenario

N_EVENTS = 50
FIRST, MIDDLE, LAST = 1, 25, N_EVENTS


def sample_lines(prefix: str = "", readings: int = N_EVENTS - 5) -> list[dict[str, Any]]:
    """Exactly ``readings + 5`` events: two teams, a metric, a proposed and agreed promise, and readings."""
    at = "2026-01-05T09:00:00Z"
    lines = (Scenario(at=at).team(f"{prefix}delivery", "Delivery", id=f"{prefix}team")
             .metric(f"{prefix}late", name="Late", unit="%", direction="lower_is_better", id=f"{prefix}metric")
             .lines())
    lines += [
        {"type": "RecordReading", "id": f"{prefix}r{i}", "metric": f"{prefix}late", "value": 10 + i,
         "at": f"2026-01-{6 + i // 24:02d}T{i % 24:02d}:00:00Z"}
        for i in range(readings)
    ]
    promise = (Scenario(at=at).team(f"{prefix}delivery-clients", "Clients", id=f"{prefix}team2")
               .promise(f"{prefix}p1", "s", 5, promisor=f"{prefix}delivery", promisee=f"{prefix}delivery-clients",
                        metric=f"{prefix}late", id=f"{prefix}p")
               .agreed(id=f"{prefix}agree", at="2026-02-01T00:00:00Z").lines())
    team2, proposed, agreed = promise
    lines.insert(20, proposed)  # among the readings, the clients' team just before the promise
    lines.insert(20, team2)
    return [*lines, agreed]


def populate(store_url: str, lines: list[dict[str, Any]] | None = None, chunk_size: int = 7) -> int:
    """Import into the store in several transactions (so the chain spans batches); returns events written."""
    ledger = Ledger.open(store_url)
    try:
        summary = import_lines(ledger, jsonl(lines or sample_lines()).splitlines(), chunk_size=chunk_size)
    finally:
        ledger.close()
    assert summary.errors == []
    return summary.events


def verify_cli(store_url: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["verify", "--json", "--store", store_url])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout)


# SQLite --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    assert populate(f"sqlite:///{path}") == N_EVENTS
    return path


@pytest.fixture
def sqlite_store(sqlite_template: Path, tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "ledger.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}", path


def flip_byte(state: bytes) -> bytes:
    """Change one byte in the middle of the stored state (a digit stays a digit, text stays text)."""
    data = bytearray(state)
    i = len(data) // 2
    data[i] = data[i] + 1 if data[i] not in (ord("9"), ord("z"), ord("Z"), 0x7E) else data[i] - 1
    assert bytes(data) != state
    return bytes(data)


def sqlite_change(path: Path, position: int) -> None:
    with sqlite3.connect(path) as conn:
        (state,) = conn.execute("SELECT state FROM stored_events WHERE rowid = ?", (position,)).fetchone()
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (flip_byte(bytes(state)), position))


def sqlite_delete(path: Path, position: int) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute("DELETE FROM stored_events WHERE rowid = ?", (position,)).rowcount == 1


def sqlite_insert(path: Path, position: int | None) -> None:
    """A forged event: appended after the last one, or put in place of a deleted one."""
    with sqlite3.connect(path) as conn:
        topic, state = conn.execute("SELECT topic, state FROM stored_events WHERE rowid = 3").fetchone()
        if position is not None:
            conn.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
        conn.execute(
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, 1, ?, ?)",
            (position, str(uuid.uuid4()), topic, state),
        )


def sqlite_swap(path: Path, a: int, b: int) -> None:
    """Reorder two events: each row takes the other's content."""
    columns = "originator_id, originator_version, topic, state"
    with sqlite3.connect(path) as conn:
        row_a = conn.execute(f"SELECT {columns} FROM stored_events WHERE rowid = ?", (a,)).fetchone()
        row_b = conn.execute(f"SELECT {columns} FROM stored_events WHERE rowid = ?", (b,)).fetchone()
        update = ("UPDATE stored_events SET originator_id = ?, originator_version = ?, topic = ?, state = ? "
                  "WHERE rowid = ?")
        conn.execute("UPDATE stored_events SET originator_version = -1 WHERE rowid = ?", (a,))
        conn.execute(update, (*row_a, b))
        conn.execute(update, (*row_b, a))


@pytest.mark.processes
def test_intact_sqlite_store_verifies(sqlite_store: tuple[str, Path]) -> None:
    url, _ = sqlite_store
    result = run_cli("verify", store=url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{N_EVENTS} events" in result.stdout
    code, report = verify_cli(url)
    assert code == 0
    assert report["ok"] is True and report["events"] == N_EVENTS and report["first_bad_position"] is None


def test_empty_store_verifies(sqlite_url: str) -> None:
    Ledger.open(sqlite_url).close()  # an existing store without events (verify never creates one)
    code, report = verify_cli(sqlite_url)
    assert code == 0 and report["events"] == 0 and report["ok"] is True


def sqlite_sql(path: Path, statement: str, *params: Any) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute(statement, params).rowcount == 1


TAMPERING: dict[str, tuple[Callable[[Path], None], int]] = {
    "change-first": (lambda p: sqlite_change(p, FIRST), FIRST),
    "change-middle": (lambda p: sqlite_change(p, MIDDLE), MIDDLE),
    "change-last": (lambda p: sqlite_change(p, LAST), LAST),
    "delete-first": (lambda p: sqlite_delete(p, FIRST), FIRST),
    "delete-middle": (lambda p: sqlite_delete(p, MIDDLE), MIDDLE),
    "delete-last": (lambda p: sqlite_delete(p, LAST), LAST),
    "insert-after-last": (lambda p: sqlite_insert(p, None), LAST + 1),
    "replace-first": (lambda p: sqlite_insert(p, FIRST), FIRST),
    "replace-middle": (lambda p: sqlite_insert(p, MIDDLE), MIDDLE),
    "swap-first-and-second": (lambda p: sqlite_swap(p, FIRST, FIRST + 1), FIRST),
    "swap-middle-pair": (lambda p: sqlite_swap(p, MIDDLE + 3, MIDDLE), MIDDLE),
    "swap-last-pair": (lambda p: sqlite_swap(p, LAST - 1, LAST), LAST - 1),
    "swap-first-and-last": (lambda p: sqlite_swap(p, LAST, FIRST), FIRST),
    # The chain itself is no safer to edit than the events it covers.
    "chain-link-changed": (lambda p: sqlite_sql(p, "UPDATE event_chain SET link = zeroblob(32) "
                                                   "WHERE notification_id = ?", MIDDLE), MIDDLE),
    "chain-link-deleted": (lambda p: sqlite_sql(p, "DELETE FROM event_chain WHERE notification_id = ?", MIDDLE),
                           MIDDLE),
    "event-moved-to-the-end": (lambda p: sqlite_sql(p, "UPDATE stored_events SET rowid = ? WHERE rowid = ?",
                                                    LAST + 1, MIDDLE), MIDDLE),
}


@pytest.mark.parametrize("case", list(TAMPERING), ids=list(TAMPERING))
def test_tampered_sqlite_store_fails_verify(sqlite_store: tuple[str, Path], case: str) -> None:
    url, path = sqlite_store
    tamper, position = TAMPERING[case]
    tamper(path)
    code, report = verify_cli(url)
    assert code != 0
    assert report["ok"] is False
    assert report["first_bad_position"] == position, report
    assert report["events"] == position - 1  # everything before it still checks out
    assert report["problem"]


@pytest.mark.parametrize("column, value", [
    ("topic", "domain.team:Team.Formed"),
    ("originator_version", 7),
    ("originator_id", str(uuid.UUID(int=1))),
])
def test_changing_any_stored_column_is_detected(sqlite_store: tuple[str, Path], column: str, value: Any) -> None:
    url, path = sqlite_store
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE stored_events SET {column} = ? WHERE rowid = ?", (value, MIDDLE))
    code, report = verify_cli(url)
    assert code != 0 and report["first_bad_position"] == MIDDLE


@pytest.mark.processes
def test_a_realistic_edit_is_detected(sqlite_store: tuple[str, Path]) -> None:
    """Someone quietly improves a reading's value, keeping the JSON valid and the application happy."""
    url, path = sqlite_store
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT rowid, state FROM stored_events WHERE topic LIKE '%Reading.Recorded'").fetchall()
        position, state = rows[len(rows) // 2]
        data = json.loads(state)
        data["value"] = data["value"] - 5
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?",
                     (json.dumps(data, separators=(",", ":")).encode(), position))
    ledger = Ledger.open(url)
    try:
        assert len(ledger.recorder.select_notifications(None, 1000)) == N_EVENTS  # the store still reads fine
    finally:
        ledger.close()
    result = run_cli("verify", store=url)
    assert result.returncode == 1
    assert f"position {position}" in result.stdout


@pytest.mark.parametrize("case", ["change-middle", "delete-last", "swap-middle-pair"])
@pytest.mark.processes
def test_verify_names_the_position_in_a_real_process(sqlite_store: tuple[str, Path], case: str) -> None:
    url, path = sqlite_store
    tamper, position = TAMPERING[case]
    tamper(path)
    result = run_cli("verify", store=url)
    assert result.returncode == 1
    assert f"position {position}" in result.stdout
    result = run_cli("verify", "--json", store=url)
    assert result.returncode == 1
    assert json.loads(result.stdout)["first_bad_position"] == position


def test_chain_keeps_verifying_as_the_log_grows(sqlite_store: tuple[str, Path]) -> None:
    url, _ = sqlite_store
    extra = [{"type": "RecordReading", "id": f"more{i}", "metric": "late", "value": i, "at": "2026-03-01T00:00:00Z"}
             for i in range(10)]
    assert populate(url, extra, chunk_size=3) == 10
    code, report = verify_cli(url)
    assert code == 0 and report["events"] == N_EVENTS + 10


def test_concurrent_writers_on_sqlite(sqlite_store: tuple[str, Path]) -> None:
    """Writers in several threads share the file: SQLite serialises them and the chain stays whole."""
    url, path = sqlite_store

    def write(worker: int) -> None:
        lines = [{"type": "RecordReading", "id": f"w{worker}-{i}", "metric": "late", "value": i,
                  "at": "2026-03-01T00:00:00Z"} for i in range(60)]
        ledger = Ledger.open(url)
        try:
            summary = import_lines(ledger, jsonl(lines).splitlines(), chunk_size=7)
            assert (summary.accepted, summary.errors) == (60, [])
        finally:
            ledger.close()

    assert race(3, write) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM stored_events").fetchone()[0] == N_EVENTS + 180
    code, report = verify_cli(url)
    assert code == 0 and report["events"] == N_EVENTS + 180


# PostgreSQL ---------------------------------------------------------------------------


def pg_schema(store_url: str) -> str:
    return parse_qs(urlsplit(store_url).query)["schema"][0]


def pg_execute(store_url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    schema = pg_schema(store_url)
    with psycopg.connect(store_url.split("?")[0]) as conn:
        cursor = conn.execute(statement.replace("{schema}", f'"{schema}"'), params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[str]:
    assert populate(postgres_url) == N_EVENTS
    yield postgres_url


def pg_positions(store_url: str) -> list[int]:
    rows = pg_execute(store_url, "SELECT notification_id FROM {schema}.ledger_events ORDER BY notification_id")
    return [row[0] for row in rows]


@pytest.mark.postgres
def test_intact_postgres_store_verifies(pg_store: str) -> None:
    code, report = verify_cli(pg_store)
    assert code == 0 and report["events"] == N_EVENTS


COLUMNS = "originator_id, originator_version, topic, state"


def pg_row(store_url: str, position: int) -> tuple[Any, ...]:
    return pg_execute(store_url, f"SELECT {COLUMNS} FROM {{schema}}.ledger_events WHERE notification_id = %s",
                      (position,))[0]


def pg_set_row(store_url: str, position: int, row: tuple[Any, ...]) -> None:
    pg_execute(store_url, "UPDATE {schema}.ledger_events SET originator_id = %s, originator_version = %s, "
                          "topic = %s, state = %s WHERE notification_id = %s", (*row, position))


@pytest.mark.postgres
@pytest.mark.parametrize("which", ["first", "middle", "last"])
@pytest.mark.parametrize("how", ["change", "delete", "insert", "swap"])
def test_tampered_postgres_store_fails_verify(pg_store: str, how: str, which: str) -> None:
    positions = pg_positions(pg_store)
    index = {"first": 0, "middle": len(positions) // 2, "last": len(positions) - 1}[which]
    position = positions[index]
    if how == "change":
        oid, version, topic, state = pg_row(pg_store, position)
        pg_set_row(pg_store, position, (oid, version, topic, flip_byte(bytes(state))))
    elif how == "delete":
        pg_execute(pg_store, "DELETE FROM {schema}.ledger_events WHERE notification_id = %s", (position,))
    elif how == "insert":
        if which == "last":
            position = positions[-1] + 1  # a forged event appended after the last one
        else:  # a forged event in place of a real one
            pg_execute(pg_store, "DELETE FROM {schema}.ledger_events WHERE notification_id = %s", (position,))
        _, _, topic, state = pg_row(pg_store, positions[2])
        pg_execute(pg_store, f"INSERT INTO {{schema}}.ledger_events ({COLUMNS}, notification_id) "
                             "VALUES (%s, 1, %s, %s, %s)", (uuid.uuid4(), topic, state, position))
    else:  # swap this event's contents with its neighbour's
        other = positions[index + 1] if which != "last" else positions[index - 1]
        row, other_row = pg_row(pg_store, position), pg_row(pg_store, other)
        pg_execute(pg_store, "UPDATE {schema}.ledger_events SET originator_version = -1 WHERE notification_id = %s",
                   (position,))
        pg_set_row(pg_store, other, row)
        pg_set_row(pg_store, position, other_row)
        position = min(position, other)
    code, report = verify_cli(pg_store)
    assert code != 0
    assert report["ok"] is False and report["problem"]
    assert report["first_bad_position"] == position, report
    assert report["events"] == sum(1 for p in positions if p < position)


@pytest.mark.postgres
@pytest.mark.processes
def test_postgres_verify_in_a_real_process(pg_store: str) -> None:
    positions = pg_positions(pg_store)
    middle = positions[len(positions) // 2]
    pg_execute(pg_store, "DELETE FROM {schema}.ledger_events WHERE notification_id = %s", (middle,))
    result = run_cli("verify", store=pg_store)
    assert result.returncode == 1
    assert f"position {middle}" in result.stdout


@pytest.mark.postgres
def test_concurrent_writers_keep_one_chain(postgres_url: str) -> None:
    """Four writers at once into one schema: nothing lost, nothing doubled, the chain intact.

    Each writer imports its own readings in small batches, and all of them also race to import
    the same shared lines (same ids, same aggregates), which must land exactly once.
    """
    writers, batches, per_batch = 4, 8, 25
    shared = [{"type": "FormTeam", "id": f"shared-team-{i}", "team": f"team-{i}", "name": "T",
               "at": "2026-01-05T09:00:00Z"} for i in range(20)]

    def shared_slice(worker: int, batch: int) -> list[dict[str, Any]]:
        start = (worker * 5 + batch) % len(shared)  # everyone tries some shared lines, in a different order
        return (shared[start:] + shared[:start])[:5]

    metric = {"type": "DefineMetric", "id": "m", "metric": "late", "name": "Late", "unit": "%",
              "direction": "lower_is_better", "at": "2026-01-01T00:00:00Z"}
    assert populate(postgres_url, [metric]) == 1
    accepted: list[int] = []

    def write(worker: int) -> None:
        ledger = Ledger.open(postgres_url)
        try:
            for batch in range(batches):
                lines = [{"type": "RecordReading", "id": f"w{worker}-b{batch}-{i}", "metric": "late", "value": i,
                          "at": "2026-01-06T00:00:00Z"} for i in range(per_batch)]
                summary = import_lines(ledger, jsonl(lines + shared_slice(worker, batch)).splitlines())
                # A shared team formed under another line id is refused as a duplicate, never written twice.
                assert all("already exists" in e["reason"] for e in summary.errors), summary.errors
                accepted.append(summary.accepted)
        finally:
            ledger.close()

    assert race(writers, write) == []
    shared_landed = len({s["team"] for w in range(writers) for b in range(batches) for s in shared_slice(w, b)})
    expected = 1 + writers * batches * per_batch + shared_landed
    assert sum(accepted) + 1 == expected
    assert pg_execute(postgres_url, "SELECT count(*) FROM {schema}.ledger_events")[0][0] == expected
    assert pg_execute(postgres_url, "SELECT count(*) FROM {schema}.ledger_events_chain")[0][0] == expected
    assert pg_execute(postgres_url, "SELECT count(*) FROM {schema}.ledger_events_receipts "
                                    "WHERE key LIKE 'line:%%shared-team-%%'")[0][0] == shared_landed
    code, report = verify_cli(postgres_url)
    assert code == 0 and report["events"] == expected, report


@pytest.mark.postgres
def test_writers_opening_a_new_store_at_once(postgres_url: str) -> None:
    """Four first opens on an empty schema race to create the tables, then all of them write."""
    import psycopg

    with psycopg.connect(postgres_url.split("?")[0], autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{pg_schema(postgres_url)}"')
    summaries: list[Any] = []

    def open_and_write(worker: int) -> None:
        ledger = Ledger.open(postgres_url)
        try:
            summaries.append(import_lines(ledger, jsonl(sample_lines(prefix=f"w{worker}-")).splitlines()))
        finally:
            ledger.close()

    assert race(4, open_and_write) == []
    assert [s.events for s in summaries] == [N_EVENTS] * 4
    code, report = verify_cli(postgres_url)
    assert code == 0 and report["events"] == 4 * N_EVENTS


@pytest.mark.postgres
def test_first_opens_race_to_create_the_schema(postgres_url: str) -> None:
    import psycopg

    base = postgres_url.split("?")[0]
    schemas = [f"{pg_schema(postgres_url)}_{n}" for n in range(5)]
    try:
        for schema in schemas:  # a few rounds, so the race is lost every time the bug is there
            url = f"{base}?schema={schema}"
            assert race(4, lambda _, url=url: Ledger.open(url).close()) == []
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.mark.parametrize(("column", "value"), [
    ("originator_id", "upper(originator_id)"),
    ("state", "CAST(state AS TEXT)"),
    ("originator_version", "originator_version + 0.5"),
])
def test_a_re_spelt_field_is_detected(sqlite_store: tuple[str, Path], column: str, value: str) -> None:
    """Forms that hash the same as the original (an upper-case id, text for bytes) but break readers."""
    url, path = sqlite_store
    sqlite_sql(path, f"UPDATE stored_events SET {column} = {value} WHERE rowid = 20")
    code, report = verify_cli(url)
    assert code == 1 and report["first_bad_position"] == 20
    assert "not stored as the ledger writes it" in report["problem"]


def test_verify_while_another_process_writes(any_store_url: str) -> None:
    store_url = any_store_url
    """Each verify reads one snapshot: a log that is growing meanwhile still verifies."""
    populate(store_url, sample_lines())
    ledger = Ledger.open(store_url)
    lines = [json.dumps({"type": "RecordReading", "id": f"busy-{i}", "metric": "late", "value": i % 9,
                         "at": "2026-02-01T00:00:00Z"}) for i in range(6000)]
    writer = threading.Thread(target=lambda: import_lines(ledger, lines, chunk_size=300))
    writer.start()
    reports = []
    while writer.is_alive():
        reports.append(ledger.verify())
    writer.join()
    reports.append(ledger.verify())
    ledger.close()
    assert len(reports) >= 2
    assert all(report.ok for report in reports), [r for r in reports if not r.ok][:1]
    assert reports[-1].events >= 6000


def test_a_batch_larger_than_one_insert_is_recorded_in_chunks_and_chained(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL inserts a large batch (a whole upload of results) in statements of INSERT_CHUNK events, in one
    transaction: every event is recorded once, in order, and the hash chain covers them all."""
    from domain.service.verify import verify
    from domain.stores import postgres

    monkeypatch.setattr(postgres, "INSERT_CHUNK", 4)
    ledger = Ledger.open(postgres_url)
    try:
        lines = [{"type": "DefineMetric", "id": "m", "metric": "late", "name": "Late", "unit": "%",
                  "direction": "lower_is_better", "at": "2026-01-05T09:00:00Z"},
                 *({"type": "RecordReading", "id": f"r{i}", "metric": "late", "value": i,
                    "at": f"2026-01-06T{i:02d}:00:00Z"} for i in range(17))]
        result = ledger.execute([_parsed(line) for line in lines])
        assert not result.rejected and result.events == 18
        assert ledger.store.max_notification_id() == 18
        assert verify(ledger).to_dict()["ok"] is True
    finally:
        ledger.close()


def _parsed(line: dict[str, Any]) -> Any:
    from domain.commands import parse_command

    return parse_command(json.dumps(line))
