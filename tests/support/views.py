"""Helpers for the projection tests: import a file, many `show` commands at once, table checksums."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from tests.support.cli import CLI, jsonl, run_cli

Request = tuple[str, str, str | None]  # (kind: promise|team|experiment, key, as_of or None)


def import_file(lines: list[dict[str, Any]], store: str, directory: Path, name: str = "lines.jsonl") -> dict[str, Any]:
    """`clientocracy import FILE --json`; every line must be accepted."""
    path = directory / name
    path.write_text(jsonl(lines))
    result = run_cli("import", str(path), "--json", store=store)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["rejected"] == 0, summary
    return summary


def show_command(request: Request, store: str, views: Path) -> list[str]:
    kind, key, as_of = request
    command = [*CLI, kind, "show", key, "--json", "--store", store, "--views", str(views)]
    if as_of is not None:
        command += ["--as-of", as_of]
    return command


def show_many(requests: Iterable[Request], store: str, views: Path, parallel: int = 2,
              timeout: float = 120.0) -> dict[Request, Any]:
    """Run `<kind> show KEY --json [--as-of T]` for each request, a few processes at a time."""
    jobs = [(request, store, views) for request in dict.fromkeys(requests)]
    return dict(zip((r for r, _, _ in jobs), run_shows(jobs, parallel, timeout), strict=True))


def run_shows(jobs: list[tuple[Request, str, Path]], parallel: int = 2, timeout: float = 120.0) -> list[Any]:
    """The JSON answers of show commands, each on its own store and views, a few processes at a time."""
    env = {**os.environ, "COLUMNS": "200"}
    pending = list(enumerate(jobs))
    running: list[tuple[int, subprocess.Popen[str]]] = []
    answers: list[Any] = [None] * len(jobs)
    deadline = time.monotonic() + timeout
    while pending or running:
        while pending and len(running) < parallel:
            index, (request, store, views) = pending.pop(0)
            process = subprocess.Popen(show_command(request, store, views), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, env=env)
            running.append((index, process))
        index, process = running.pop(0)
        out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
        assert process.returncode == 0, f"{jobs[index]}: exit {process.returncode}: {err}"
        answers[index] = json.loads(out)
    return answers


def lookup(answers: dict[Request, Any], kind: str) -> Callable[..., Any]:
    """`shown(key, as_of=None)`: the answer of `<kind> show key [--as-of as_of]`."""

    def shown(key: str, as_of: str | None = None) -> Any:
        return answers[(kind, key, as_of)]

    return shown


def answer(con: duckdb.DuckDBPyConnection, request: Request) -> Any:
    """The answer of one show command from open views (the query functions the CLI calls); the JSON
    round trip gives exactly the shapes the CLI prints (dates and numbers as JSON)."""
    from domain.business_time import parse_as_of
    from projections.queries import experiment_view, promise_view, team_view
    from projections.timeline import as_of_value

    kind, key, as_of = request
    view = {"promise": promise_view, "team": team_view, "experiment": experiment_view}[kind](
        con, key, as_of_value(parse_as_of(as_of)))
    assert view is not None, f"{request}: not found"
    return json.loads(json.dumps(view, default=str))


def answer_in_process(requests: Iterable[Request], store: str, views: Path) -> dict[Request, Any]:
    """The same answers as `show_many`, computed in this process (catch up, then the query functions)."""
    from domain.service.ledger import Ledger
    from projections import derived
    from projections.view_store import connect
    from projections.views_file import catch_up

    ledger = Ledger.open(store)
    try:
        catch_up(ledger.store, views)
    finally:
        ledger.close()
    con = connect(views)
    try:
        derived.install(con)
        return {request: answer(con, request) for request in dict.fromkeys(requests)}
    finally:
        con.close()


def import_and_project(store: str, views: Path, lines: list[dict[str, Any]]) -> None:
    """The lines (all accepted) imported in process into ``store``, then ``views`` caught up with it."""
    from domain.service.ledger import Ledger
    from projections.views_file import catch_up
    from scripts.import_file import import_lines

    ledger = Ledger.open(store)
    try:
        assert import_lines(ledger, jsonl(lines).splitlines()).errors == []
        catch_up(ledger.store, views)
    finally:
        ledger.close()


def projected_views(lines: list[dict[str, Any]], kind: str, folder: Path) -> Path:
    """The lines imported into a new store of ``kind`` and projected from zero into a views file in ``folder``;
    the store is dropped afterwards, the views file stays."""
    from tests.support.stores import store_of

    views = folder / "views.duckdb"
    with store_of(kind, folder) as url:
        import_and_project(url, views, lines)
    return views


def answered_in_memory(lines: list[dict[str, Any]], kind: str, keys: Iterable[str],
                       as_of: Iterable[tuple[str, str]]) -> Callable[..., Any]:
    """``shown(key, as_of=None)`` for each key and (key, as_of) pair, with neither a file nor a process: the
    lines (all accepted) in an in-memory store, projected by the real runner into in-memory views."""
    from domain.commands import COMMAND_ADAPTER
    from domain.service.ledger import Ledger
    from projections.runner import ProjectionRunner

    ledger = Ledger.open("memory://")
    con = duckdb.connect(":memory:")
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in lines])
        assert result.rejected == [], result.rejected
        ProjectionRunner(ledger.store, con).catch_up(refresh=False)
        requests = [(kind, key, None) for key in keys] + [(kind, key, at) for key, at in as_of]
        return lookup({request: answer(con, request) for request in requests}, kind)
    finally:
        con.close()
        ledger.close()


def answers_for(store_kind: str, requests: Iterable[Request], store: str, views: Path) -> dict[Request, Any]:
    """SQLite: through the CLI, as a user runs it. PostgreSQL: in-process, to keep the suite fast
    (the CLI's store handling is the same code; what differs is the store underneath)."""
    if store_kind == "sqlite":
        return show_many(requests, store, views)
    return answer_in_process(requests, store, views)


def table_checksums(path: Path) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent digest of every table in a views file (but for the file's own random
    identity: two files never share it)."""
    from projections.views_identity import KEY

    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [name for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name").fetchall()]
        sums: dict[str, tuple[int, str]] = {}
        for name in tables:
            rows = f"\"{name}\" t WHERE key <> '{KEY}'" if name == "views_meta" else f'"{name}" t'
            count, digest = con.execute(
                f'SELECT count(*), md5(coalesce(string_agg(h, \',\' ORDER BY h), \'\')) '
                f'FROM (SELECT md5(CAST(t AS VARCHAR)) AS h FROM {rows})'
            ).fetchone()  # type: ignore[misc]
            sums[name] = (int(count), str(digest))
        return sums
    finally:
        con.close()


def drop_recorded_at(value: Any) -> Any:
    """An answer without the `recorded_at` fields (the only ones that differ between two stores)."""
    if isinstance(value, dict):
        return {k: drop_recorded_at(v) for k, v in value.items() if k != "recorded_at"}
    if isinstance(value, list):
        return [drop_recorded_at(v) for v in value]
    return value


def rounded(value: Any, digits: int = 9) -> Any:
    """Floats rounded, so answers computed along two paths compare equal up to float noise."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value
