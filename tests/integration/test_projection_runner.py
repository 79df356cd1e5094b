"""The projection runner: rebuild equals incremental, exactly-once, kill -9 resume, concurrent shows, as-of.

Real stores, real DuckDB files, real processes; `kill -9` is SIGKILL of the real CLI.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from domain.commands import COMMAND_ADAPTER, RecordFeedback, RecordReading
from domain.service.ledger import Ledger
from projections import derived
from projections.queries import experiment_view, promise_view, team_view
from projections.runner import ProjectionRunner, rebuild
from projections.timeline import FOREVER
from projections.view_store import connect
from projections.views_file import catch_up
from scripts.sample_company import sample_company_commands
from tests.support.cli import CLI, run_cli
from tests.support.complaints import ageless
from tests.support.views import (
    Request,
    drop_recorded_at,
    import_file,
    run_shows,
    show_command,
    show_many,
    table_checksums,
)

ENV = {**os.environ, "COLUMNS": "200"}
SAMPLE = sample_company_commands()
PROMISES = [c["promise"] for c in SAMPLE if c["type"] == "ProposePromise"]
TEAMS = [c["team"] for c in SAMPLE if c["type"] == "FormTeam"]
EXPERIMENTS = [c["experiment"] for c in SAMPLE if c["type"] == "ProposeExperiment"]


def project(store: str, views: Path, *flags: str) -> dict[str, Any]:
    result = run_cli("project", *flags, "--json", store=store, views=views, check=True)
    return json.loads(result.stdout)


def record_sample(store: str, commands: list[dict[str, Any]] | None = None) -> None:
    ledger = Ledger.open(store)
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in (commands or SAMPLE)])
        assert not result.rejected, result.rejected[:3]
    finally:
        ledger.close()


# Rebuild equals incremental, exactly once -------------------------------------------------


# Chunks cut through promise negotiations (line 66), a running experiment, and around an amendment (507).
def _before(line_id: str) -> int:
    """The index of a sample line, so the cuts stay where they were meant when lines are added."""
    return next(i for i, c in enumerate(SAMPLE) if c["id"] == line_id)


AMENDMENT_CUT = _before("reading-complaint-rate-2026-02-13")
CUTS = [0, 66, _before("fb-0017-resolve"), AMENDMENT_CUT, AMENDMENT_CUT + 1, len(SAMPLE)]
CLI_CUTS = [0, 66, AMENDMENT_CUT, len(SAMPLE)]


@pytest.mark.processes
def test_rebuild_equals_incremental(tmp_path: Path) -> None:
    """`import` in chunks with `project` between == one `project --rebuild`, table by table."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    incremental = tmp_path / "incremental.duckdb"
    for n, (start, end) in enumerate(itertools.pairwise(CLI_CUTS)):
        import_file(SAMPLE[start:end], store, tmp_path, f"chunk{n}.jsonl")
        assert project(store, incremental)["events"] > 0
    rebuilt = tmp_path / "rebuilt.duckdb"
    assert project(store, rebuilt, "--rebuild")["events"] >= len(SAMPLE)
    expected = table_checksums(rebuilt)
    assert {"event_log", "promise_history", "readings", "promise_compliance", "team_economics",
            "experiment_outcomes", "projection_tracking"} <= set(expected)
    assert expected["promise_compliance"][0] > 0 and expected["team_economics"][0] > 0
    assert expected["success_metrics"][0] > 0  # docs/brief.md §11: a rebuild equals the incremental views
    assert table_checksums(incremental) == expected

    # Exactly once: catching up again adds nothing; re-importing the same lines records nothing.
    assert project(store, incremental)["events"] == 0
    summary = import_file(SAMPLE, store, tmp_path, "again.jsonl")
    assert (summary["accepted"], summary["skipped"], summary["events"]) == (0, len(SAMPLE), 0)
    assert project(store, incremental)["events"] == 0
    assert table_checksums(incremental) == expected


def test_rebuild_equals_incremental_in_small_batches(any_store_url: str, tmp_path: Path) -> None:
    """In-process on every store: chunks with catch-ups (batches of 7 events) between == a rebuild;
    a second catch-up finds nothing to do."""
    store_url = any_store_url
    incremental = tmp_path / "incremental.duckdb"
    ledger = Ledger.open(store_url)
    try:
        for start, end in itertools.pairwise(CUTS):
            record_sample(store_url, SAMPLE[start:end])
            con = connect(incremental)
            try:
                first = ProjectionRunner(ledger.recorder, con, batch=7).catch_up()
                again = ProjectionRunner(ledger.recorder, con, batch=7).catch_up()
            finally:
                con.close()
            assert first.events > 0 and again.events == 0 and again.position == first.position
        assert catch_up(ledger.recorder, incremental).events == 0
        rebuilt = rebuild(ledger.recorder, tmp_path / "rebuilt.duckdb")
        assert rebuilt.events == len(SAMPLE)
    finally:
        ledger.close()
    assert table_checksums(incremental) == table_checksums(tmp_path / "rebuilt.duckdb")


# Kill -9 during rebuild and catch-up ------------------------------------------------------


def add_readings(store: str, count: int, seed: int) -> None:
    """`count` readings of one of the sample's metrics, recorded 2,000 per transaction."""
    metric = next(c["metric"] for c in SAMPLE if c["type"] == "DefineMetric")
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=seed)
    ledger = Ledger.open(store)
    try:
        for batch in range(0, count, 2000):
            ledger.execute([
                RecordReading(type="RecordReading", metric=metric, value=round(rng.uniform(80, 100), 2),
                              at=start + timedelta(minutes=2 * (batch + i)))
                for i in range(min(2000, count - batch))
            ])
    finally:
        ledger.close()


def views_position(views: Path) -> int:
    """The tracked position of a views file (0 when missing), after checking that whatever a kill left
    behind is a whole number of batches: facts and tracking position agree."""
    if not views.exists():
        return 0
    con = duckdb.connect(str(views), read_only=True)
    try:
        position, count, highest = con.execute(
            "SELECT (SELECT position FROM projection_tracking WHERE name = 'ledger'),"
            " (SELECT count(*) FROM event_log), (SELECT coalesce(max(position), 0) FROM event_log)"
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    assert count == highest == position
    return int(position)


@pytest.mark.slow
@pytest.mark.processes
def test_kill_9_during_rebuild_and_catch_up_then_resume(tmp_path: Path) -> None:
    """SIGKILL `project` and `project --rebuild` at random points (>= 6 times each), restart, compare.

    Kill times are drawn over the expected run time (process start + backlog x measured rate). When
    catch-up has nothing left to do, more readings are recorded first so that every catch-up killed has
    work in flight; the reference is a clean rebuild of the final store in a fresh file.
    """
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    record_sample(store)
    add_readings(store, 60_000, seed=1)
    reference = tmp_path / "reference.duckdb"
    started = time.monotonic()
    total = project(store, reference, "--rebuild")["position"]
    rebuild_seconds = time.monotonic() - started
    started = time.monotonic()
    assert project(store, reference)["events"] == 0
    start_seconds = time.monotonic() - started  # a run with nothing to do: process start and open
    per_event = max(rebuild_seconds - start_seconds, 0.1) / total
    assert total >= 60_000

    views = tmp_path / "views.duckdb"
    rng = random.Random(20260127)
    kills = {"catch-up": 0, "rebuild": 0}
    attempts = 0
    while min(kills.values()) < 6:
        attempts += 1
        assert attempts < 40, f"could not kill mid-run often enough: {kills}"
        mode = "catch-up" if kills["catch-up"] <= kills["rebuild"] else "rebuild"
        backlog = total if mode == "rebuild" else total - views_position(views)
        if backlog == 0:
            add_readings(store, 10_000, seed=attempts)
            total += 10_000
            backlog = 10_000
        flags = ["--rebuild"] if mode == "rebuild" else []
        process = subprocess.Popen([*CLI, "project", *flags, "--store", store, "--views", str(views)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        time.sleep(rng.uniform(0.6 * start_seconds, 0.97 * (start_seconds + backlog * per_event)))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills[mode] += 1
        process.wait()
        views_position(views)
    assert sum(kills.values()) >= 10

    assert project(store, views)["position"] == total
    if views_position(reference) != total:
        reference.unlink()
        project(store, reference, "--rebuild")
    assert table_checksums(views) == table_checksums(reference)


KILL_AFTER = """
import os, signal, sys
from domain.service.ledger import Ledger
from projections import runner, view_store
from pathlib import Path

def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)

store, views, point = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
ledger = Ledger.open(store)
if point == "first-commit":  # a catch-up killed right after its first batch committed
    write = runner.ProjectionRunner._write
    def write_then_die(self, position):
        write(self, position)
        die()
    runner.ProjectionRunner._write = write_then_die
    runner.ProjectionRunner(ledger.recorder, view_store.connect(views), batch=100).catch_up()
else:  # a rebuild killed right after it switched the new file in
    replace = os.replace
    def replace_then_die(new, target):
        replace(new, target)
        die()
    view_store.os.replace = replace_then_die
    runner.rebuild(ledger.recorder, views)
"""


def _page_reader_of(pid: int) -> int | None:
    """The pid of ``pid``'s child reading the store (``projections.page_stream``), if it runs now."""
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"projections.page_stream" in (entry / "cmdline").read_bytes() \
                    and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                return int(entry.name)
        except (OSError, ValueError, IndexError):
            continue  # a process that ended while we looked
    return None


@pytest.mark.processes
def test_ctrl_c_in_a_terminal_stops_a_rebuild_cleanly_while_its_child_reads_the_store(tmp_path: Path) -> None:
    """Ctrl-C goes to the terminal's whole foreground process group: the child reading the store (a rebuild of
    50,000 events or more) must not die of it under a command that stops after its page, which would turn the
    clean stop into "reading the store failed"."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    record_sample(store)
    add_readings(store, 120_000, seed=3)
    views = tmp_path / "views.duckdb"
    total = project(store, views, "--rebuild")["position"]
    command = subprocess.Popen([*CLI, "project", "--rebuild", "--store", store, "--views", str(views)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                               start_new_session=True)  # a group of its own, as a terminal's foreground job
    try:
        deadline = time.monotonic() + 60
        while _page_reader_of(command.pid) is None and command.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert command.poll() is None, "the rebuild ended before its reader could be seen"
        os.killpg(command.pid, signal.SIGINT)
        _, err = command.communicate(timeout=120)
    finally:
        if command.poll() is None:
            command.kill()
    assert command.returncode == 0, err.decode()
    assert b"reading the store failed" not in err
    assert views_position(views) == total  # the old views, whole (or the new ones, if it had finished)


@pytest.mark.processes
def test_kill_9_right_after_the_rebuild_switch(tmp_path: Path) -> None:
    """Deterministic kill points: after a catch-up's first commit (leaves a WAL), then right after the switch."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    record_sample(store)
    reference = tmp_path / "reference.duckdb"
    project(store, reference, "--rebuild")
    views = tmp_path / "views.duckdb"
    script = textwrap.dedent(KILL_AFTER)
    for point in ("first-commit", "after-switch"):
        died = subprocess.run([sys.executable, "-c", script, store, str(views), point], env=ENV,
                              capture_output=True, text=True, timeout=120)
        assert died.returncode == -signal.SIGKILL, died.stderr
        if point == "first-commit":
            assert Path(str(views) + ".wal").exists()  # the state a kill -9 mid catch-up leaves
    result = run_cli("project", "--json", store=store, views=views)
    assert result.returncode == 0, result.stderr
    assert table_checksums(views) == table_checksums(reference)


# Two show commands at once ----------------------------------------------------------------


@pytest.mark.processes
def test_two_show_commands_at_once(tmp_path: Path) -> None:
    """Both must catch up (the views do not exist yet) and take turns at DuckDB's one writer."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    record_sample(store)
    views = tmp_path / "views.duckdb"
    requests: list[Request] = [("promise", PROMISES[0], None), ("team", TEAMS[0], None)]
    for _ in range(2):  # first on a missing views file, then on caught-up views
        processes = [subprocess.Popen(show_command(r, store, views), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=ENV) for r in requests]
        outputs = [p.communicate(timeout=120) for p in processes]  # neither waits for the other forever
        for process, (_, err) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, err
        answers = [json.loads(out) for out, _ in outputs]
        expected = [show_many([r], store, views)[r] for r in requests]
        # the team's open complaints count their age in seconds up to when each was asked
        assert [answers[0], ageless(answers[1])] == [expected[0], ageless(expected[1])]
        assert answers[0]["compliance"] and answers[1]["economics"]


@pytest.mark.postgres
@pytest.mark.processes
def test_two_show_commands_at_once_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    """Deterministic: this test holds the other command's open (the same DDL, uncommitted) while a show starts."""
    import psycopg

    from tests.support.stores import POSTGRES_URL

    record_sample(postgres_url)
    ledger = Ledger.open(postgres_url)
    ddl = [s for s in ledger.recorder.sql_create_statements if "FUNCTION" in s.as_string()]
    ledger.close()
    assert ddl
    request: Request = ("promise", PROMISES[0], None)
    with psycopg.connect(POSTGRES_URL.split("?")[0]) as conn:
        with conn.transaction():
            conn.execute(ddl[0])
            show = subprocess.Popen(show_command(request, postgres_url, tmp_path / "views.duckdb"),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
            time.sleep(1.5)
        out, err = show.communicate(timeout=60)
    assert show.returncode == 0, err[-500:]
    assert json.loads(out)["promise"] == PROMISES[0]


# As-of property ---------------------------------------------------------------------------


def business_time(line: dict[str, Any]) -> datetime:
    command = COMMAND_ADAPTER.validate_python(line)
    moment = command.at if command.at is not None else command.occurred_at if isinstance(
        command, RecordFeedback) else None
    assert moment is not None, f"a sample line without business time: {line}"
    return moment.astimezone(UTC).replace(tzinfo=None)


SAMPLE_TIMES = [business_time(line) for line in SAMPLE]


def sample_times(rng: random.Random, count: int) -> list[datetime]:
    """Random times over the sample's span, some exactly at a line's business time (<= is inclusive)."""
    times = sorted(set(SAMPLE_TIMES))
    first, last = times[0], times[-1]
    span = (last - first).total_seconds()
    chosen = [first - timedelta(days=1), last + timedelta(days=1)]
    chosen += rng.sample(times, count // 3)
    while len(chosen) < count:
        chosen.append(first + timedelta(seconds=round(rng.uniform(0, span))))
    return chosen


def all_views(con: duckdb.DuckDBPyConnection, as_of: datetime) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for kind, keys, view in (("promise", PROMISES, promise_view), ("team", TEAMS, team_view),
                             ("experiment", EXPERIMENTS, experiment_view)):
        for key in keys:
            answers[f"{kind}:{key}"] = drop_recorded_at(json.loads(json.dumps(view(con, key, as_of), default=str)))
    return answers


def timeless(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers without what time alone changes (docs/brief.md §9): a promise's health, whether its last
    period (the only one that can be in progress: rows end at the latest period with a reading) is over yet, and
    an open complaint's age and state."""
    def promise(answer: dict[str, Any]) -> dict[str, Any]:
        rows = [{k: v for k, v in row.items() if k != "in_progress"} for row in answer["compliance"]]
        if rows:
            rows[-1].pop("kept")
        return {**answer, "health": None, "compliance": rows}

    def complaints(answer: dict[str, Any]) -> dict[str, Any]:  # an open complaint's age and state follow the clock
        return {**answer, "open_complaints": [{k: v for k, v in c.items() if k not in ("age_seconds", "sla")}
                                              for c in answer["open_complaints"]]}

    return {name: promise(answer) if name.startswith("promise:") and answer
            else complaints(answer) if answer and "open_complaints" in answer else answer
            for name, answer in answers.items()}


def prefix_store(directory: Path, as_of: datetime) -> tuple[str, list[dict[str, Any]]]:
    """A fresh store holding only the sample lines with business time <= as_of."""
    store = f"sqlite:///{directory / 'prefix.db'}"
    lines = [line for line, moment in zip(SAMPLE, SAMPLE_TIMES, strict=True) if moment <= as_of]
    if lines:
        record_sample(store, lines)
    return store, lines


def test_as_of_equals_a_store_holding_only_earlier_events(tmp_path: Path) -> None:
    """Property over 20 random T: every show as of T == the same show on a store of the lines with time <= T."""
    full = f"sqlite:///{tmp_path / 'full.db'}"
    record_sample(full)
    ledger = Ledger.open(full)
    catch_up(ledger.recorder, tmp_path / "full.duckdb")
    ledger.close()
    con = connect(tmp_path / "full.duckdb")
    derived.install(con)
    try:
        for n, as_of in enumerate(sample_times(random.Random(1307), 20)):
            directory = tmp_path / f"t{n}"
            directory.mkdir()
            store, lines = prefix_store(directory, as_of)
            expected_con = connect(directory / "views.duckdb")
            try:
                if lines:
                    prefix = Ledger.open(store)
                    ProjectionRunner(prefix.recorder, expected_con).catch_up()
                    prefix.close()
                else:
                    ProjectionRunner(Ledger().store, expected_con)  # the schema of an empty store's views
                derived.install(expected_con)
                expected = all_views(expected_con, as_of)
                assert all_views(con, as_of) == expected, f"as of {as_of.isoformat()}"
                if lines and n % 4 == 0:  # the prefix store holds nothing later: its current answer is the same,
                    # but for what time alone changes: the period in progress at T is judged now, health is seen now
                    assert timeless(all_views(expected_con, FOREVER)) == timeless(expected), (
                        f"prefix store of {as_of.isoformat()}")
            finally:
                expected_con.close()
    finally:
        con.close()


@pytest.mark.processes
def test_as_of_through_the_cli(tmp_path: Path) -> None:
    """The same property for a few T, through `<kind> show --as-of T --json` (each kind at least once)."""
    full = f"sqlite:///{tmp_path / 'full.db'}"
    record_sample(full)
    times = sorted(set(SAMPLE_TIMES))
    moments = (times[len(times) // 3], datetime(2026, 2, 14, 9, 30, 15), times[-2], datetime(2026, 3, 20, 8))
    kinds = (("promise", PROMISES), ("team", TEAMS), ("experiment", EXPERIMENTS), ("promise", PROMISES))
    stores = [(full, tmp_path / "full.duckdb")]
    jobs: list[tuple[Request, str, Path]] = []
    for n, (as_of, (kind, keys)) in enumerate(zip(moments, kinds, strict=True)):
        directory = tmp_path / f"t{n}"
        directory.mkdir()
        store, _ = prefix_store(directory, as_of)
        stores.append((store, directory / "views.duckdb"))
        request: Request = (kind, keys[n % len(keys)], as_of.isoformat() + "Z")
        jobs += [(request, full, tmp_path / "full.duckdb"), (request, *stores[-1])]
    for store, views in stores:  # caught up here, so the shows below only answer
        ledger = Ledger.open(store)
        catch_up(ledger.recorder, views)
        ledger.close()
    answers = [drop_recorded_at(answer) for answer in run_shows(jobs)]
    for n in range(0, len(jobs), 2):
        assert answers[n] == answers[n + 1], jobs[n][0]
