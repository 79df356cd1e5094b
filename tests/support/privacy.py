"""What the privacy tests share: a small company with marked personal text, and the store's raw bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.scenario import Scenario

VICTIM = "zebra"
CONTROL = "ctl"
VICTIM_MARKERS = ("QZXV-NAME-victim", "QZXV-DESC-victim", "QZXV-TEXT-victim")
CONTROL_MARKERS = ("KWPJ-NAME-control", "KWPJ-DESC-control", "KWPJ-TEXT-control")


def company() -> list[dict[str, Any]]:
    """A team, the victim and the control client (each with a marked name, description and complaint),
    a promise to the victim, an experiment: every show command has something to show."""
    day = "2026-01-0{}T09:00:00Z".format
    lines = Scenario(at=day(1)).team("ops", id="t").metric("late", id="m").lines()
    for client, (name, description, text) in ((VICTIM, VICTIM_MARKERS), (CONTROL, CONTROL_MARKERS)):
        lines += [
            {"type": "IdentifyClient", "id": f"c-{client}", "client": client, "name": name, "kind": "external",
             "description": description, "at": day(2)},
            {"type": "RecordFeedback", "id": f"f-{client}", "feedback_id": f"fb-{client}", "client": client,
             "kind": "complaint", "channel": "phone", "text": text, "team": "ops", "rating": 2,
             "occurred_at": day(5)},
        ]
    lines += [
        *Scenario(at=day(3)).promise("p", "Few late orders", 3, promisor="ops", promisee=VICTIM, metric="late", id="p1")
        .agreed(id="p2", at=day(4)),
        {"type": "RecordReading", "id": "r1", "metric": "late", "value": 2, "at": day(6)},
        {"type": "ProposeExperiment", "id": "e1", "experiment": "e", "team": "ops", "hypothesis": "Calls help",
         "metric": "late", "design": "ab", "at": day(3)},
        {"type": "StartExperiment", "id": "e2", "experiment": "e", "at": day(4)},
        {"type": "RecordObservation", "id": "e3", "experiment": "e", "arm": "control", "value": 3, "at": day(5)},
        {"type": "RecordObservation", "id": "e4", "experiment": "e", "arm": "treatment", "value": 2, "at": day(5)},
    ]
    return lines


def is_postgres(store: str) -> bool:
    return store.startswith("postgres")


def _schema(store: str) -> str:
    return parse_qs(urlsplit(store).query).get("schema", ["public"])[-1]


def _pg_rows(store: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(store.split("?")[0]) as conn:
        return list(conn.execute(sql.format(schema=f'"{_schema(store)}"')).fetchall())


def sqlite_path(store: str) -> Path:
    return Path(store[len("sqlite:///"):])


def store_bytes(store: str) -> bytes:
    """Everything the store holds, raw: SQLite's database, -wal and -shm files; PostgreSQL's event
    states, chain and key table as stored."""
    if is_postgres(store):
        rows = _pg_rows(store, "SELECT state FROM {schema}.ledger_events")
        rows += _pg_rows(store, "SELECT subject::bytea, kid::bytea, key FROM {schema}.ledger_events_subject_keys")
        return b"\n".join(bytes(value) for row in rows for value in row)
    path = sqlite_path(store)
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def key_material(store: str, subject: str) -> bytes:
    """The raw key of a subject as the key table holds it."""
    if is_postgres(store):
        rows = _pg_rows(store, "SELECT key FROM {schema}.ledger_events_subject_keys WHERE subject = "
                        + "'" + subject.replace("'", "''") + "'")
    else:
        import sqlite3

        with sqlite3.connect(sqlite_path(store)) as conn:
            rows = conn.execute("SELECT key FROM subject_keys WHERE subject = ?", (subject,)).fetchall()
    assert len(rows) == 1, rows
    return bytes(rows[0][0])


def tamper_key(store: str, subject: str, column: str, value: bytes | str) -> None:
    """Overwrite one column of a subject's key row, as someone with write access to the store could."""
    if is_postgres(store):
        import psycopg

        with psycopg.connect(store.split("?")[0], autocommit=True) as conn:
            conn.execute(f'UPDATE "{_schema(store)}".ledger_events_subject_keys SET {column} = %s WHERE subject = %s',
                         (value, subject))
    else:
        import sqlite3

        with sqlite3.connect(sqlite_path(store)) as conn:
            conn.execute(f"UPDATE subject_keys SET {column} = ? WHERE subject = ?", (value, subject))


def drop_key_table(store: str) -> None:
    """Take the key table away (renamed aside), as a store that can no longer serve keys: every look-up
    of a key then fails with the store's own error."""
    if is_postgres(store):
        import psycopg

        with psycopg.connect(store.split("?")[0], autocommit=True) as conn:
            conn.execute(f'ALTER TABLE "{_schema(store)}".ledger_events_subject_keys RENAME TO keys_aside')
    else:
        import sqlite3

        with sqlite3.connect(sqlite_path(store)) as conn:
            conn.execute("ALTER TABLE subject_keys RENAME TO keys_aside")
