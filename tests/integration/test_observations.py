"""Observations as aggregates of their own (``domain.observation``): a store whose observations were stored as
events of their experiment (before) answers exactly as one recorded today, even when it takes new ones
mid-experiment; the views rebuilt equal the views caught up in small steps; ``verify`` passes; and the
experiment's rules (running, its arms, business time going forward, none once concluded) hold."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections.runner import ProjectionRunner, rebuild
from projections.view_store import connect
from tests.support.ledger import observations, record_legacy_observations
from tests.support.views import answer_in_process, table_checksums

RNG = random.Random(22)
SETUP: list[dict[str, Any]] = [
    {"type": "FormTeam", "team": "t", "name": "T", "at": "2026-01-01T00:00:00+00:00"},
    {"type": "DefineMetric", "metric": "m", "name": "m", "unit": "u", "direction": "higher_is_better",
     "at": "2026-01-01T00:00:00+00:00"},
    {"type": "ProposeExperiment", "experiment": "x", "team": "t", "hypothesis": "h", "metric": "m", "design": "ab",
     "arms": ["control", "fast", "slow"], "at": "2026-01-02T00:00:00+00:00"},
    {"type": "StartExperiment", "experiment": "x", "at": "2026-01-03T00:00:00+00:00"},
]
VALUES = [(("control", "fast", "slow")[i % 3], round(RNG.gauss(30 + i % 3, 5), 6),
           f"2026-01-{4 + i // 10:02d}T00:00:00+00:00") for i in range(120)]
CONCLUDE = {"type": "ConcludeExperiment", "experiment": "x", "decision": "adopt", "learning": "l",
            "at": "2026-01-20T00:00:00+00:00"}


def execute(ledger: Ledger, lines: list[dict[str, Any]]) -> None:
    result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in lines])
    assert result.rejected == [] and len(result.accepted) == len(lines), result


def as_commands(values: list[tuple[str, float, str]]) -> list[dict[str, Any]]:
    return [{"type": "RecordObservation", "experiment": "x", "arm": arm, "value": value, "at": at}
            for arm, value, at in values]


def test_observations_stored_either_way_answer_alike(tmp_path: Path) -> None:
    """Legacy store: the first half as experiment events, the rest as today; the other store all as today."""
    answers, checks = {}, {}
    for name in ("legacy", "today"):
        store = f"sqlite:///{tmp_path / (name + '.db')}"
        ledger = Ledger.open(store)
        try:
            execute(ledger, SETUP)
            if name == "legacy":
                record_legacy_observations(ledger, "x", VALUES[:60])
                execute(ledger, as_commands(VALUES[60:]))
            else:
                execute(ledger, as_commands(VALUES))
            execute(ledger, [CONCLUDE])
            checks[name] = ledger.verify().ok
        finally:
            ledger.close()
        requests = [("experiment", "x", None), ("experiment", "x", "2026-01-06T12:00:00+00:00")]
        answers[name] = answer_in_process(requests, store, tmp_path / f"{name}.duckdb")
    assert checks == {"legacy": True, "today": True}
    assert answers["legacy"] == answers["today"]
    whole, early = answers["today"].values()
    assert [a["n"] for a in whole["arms"]] == [40, 40, 40] and [a["n"] for a in early["arms"]] == [10, 10, 10]


def test_the_views_rebuilt_equal_the_views_caught_up_in_steps(tmp_path: Path) -> None:
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    incremental = tmp_path / "incremental.duckdb"
    try:
        execute(ledger, SETUP)
        record_legacy_observations(ledger, "x", VALUES[:30])
        for lo in range(30, 120, 45):
            execute(ledger, as_commands(VALUES[lo:lo + 45]))
            con = connect(incremental)
            try:
                ProjectionRunner(ledger.recorder, con, batch=7).catch_up()
            finally:
                con.close()
        rebuilt = rebuild(ledger.recorder, tmp_path / "rebuilt.duckdb")
    finally:
        ledger.close()
    assert rebuilt.events == len(SETUP) + 30 + 90
    assert table_checksums(incremental) == table_checksums(tmp_path / "rebuilt.duckdb")


def test_the_experiment_still_decides(ledger: Ledger) -> None:
    lines = [*SETUP[:3], {"type": "RecordObservation", "experiment": "x", "arm": "control", "value": 1,
                          "at": "2026-01-02T01:00:00+00:00"}]
    result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in lines])
    assert result.accepted == [0, 1, 2] and "experiment x is proposed" in result.rejected[0][1]
    execute(ledger, [SETUP[3]])
    refusals = {
        "arm 'blue' is not one of": {"arm": "blue", "at": "2026-01-04T00:00:00+00:00"},
        "business time cannot go back": {"arm": "control", "at": "2026-01-02T12:00:00+00:00"},  # before its start
    }
    for reason, fields in refusals.items():
        one = ledger.execute([COMMAND_ADAPTER.validate_python(
            {"type": "RecordObservation", "experiment": "x", "value": 1, **fields})])
        assert reason in one.rejected[0][1], one
    execute(ledger, [*as_commands(VALUES[:3]), CONCLUDE])
    late = ledger.execute([COMMAND_ADAPTER.validate_python(as_commands([("control", 1.0, CONCLUDE["at"])])[0])])
    assert "experiment x is concluded" in late.rejected[0][1]
    assert [arm for arm, *_ in observations(ledger, "x")] == ["control", "fast", "slow"]


def test_a_teams_members_see_its_experiments_observations_in_the_audit_trail(tmp_path: Path) -> None:
    """Observations are no longer the experiment's events: the read rule finds them by their experiment."""
    from domain.read_policy import Viewer
    from projections.read_rules import visible_positions

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        execute(ledger, [*SETUP, {"type": "FormTeam", "team": "other", "name": "O", "at": SETUP[0]["at"]}])
        record_legacy_observations(ledger, "x", VALUES[:2])
        execute(ledger, as_commands(VALUES[2:4]))
        con = connect(tmp_path / "views.duckdb")
        try:
            ProjectionRunner(ledger.recorder, con).catch_up()
            member = visible_positions(con, Viewer("ann", teams=frozenset({"t"})), 0, 100)
            outsider = visible_positions(con, Viewer("bob", teams=frozenset({"other"})), 0, 100)
        finally:
            con.close()
    finally:
        ledger.close()
    observed = [6, 7, 8, 9]  # two stored as the experiment's events, two as observations of their own
    assert set(observed) <= set(member) and not set(observed) & set(outsider)


def test_a_conclusion_recorded_meanwhile_refuses_the_observations_not_other_observations(
        any_store_url: str) -> None:
    """Two writers on one store: observations decided before another writer concluded the experiment are not
    recorded (a write conflict: the retry re-decides them, and refuses them); other writers' observations
    recorded meanwhile change nothing the batch relied on."""
    import pytest
    from eventsourcing.persistence import IntegrityError

    from domain.service.command_batch import decide_batch
    from domain.service.retry import is_write_conflict

    ledger, other = Ledger.open(any_store_url), Ledger.open(any_store_url)
    try:
        execute(ledger, SETUP)

        def decided(values: list[tuple[str, float, str]]) -> Any:
            commands = [COMMAND_ADAPTER.validate_python(line) for line in as_commands(values)]
            result, uow = decide_batch(ledger.store, ledger.repository, commands, datetime.now(UTC), None, False)
            assert result.accepted == list(range(len(values)))
            return uow

        first = decided(VALUES[:3])
        execute(other, as_commands(VALUES[3:6]))
        ledger.record(first.events, tracking=None, receipts=first.receipts, guards=first.guards())
        second = decided(VALUES[6:9])
        execute(other, [{**CONCLUDE, "at": VALUES[8][2]}])  # at the observations' time: refused as concluded
        before = ledger.store.max_notification_id()
        with pytest.raises(IntegrityError) as raised:
            ledger.record(second.events, tracking=None, receipts=second.receipts, guards=second.guards())
        assert is_write_conflict(raised.value) and ledger.store.max_notification_id() == before
        again = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in as_commands(VALUES[6:9])])
        assert [reason for _, reason in again.rejected] == ["experiment x is concluded; observations need a "
                                                            "running one"] * 3
        assert len(observations(ledger, "x")) == 6
    finally:
        ledger.close()
        other.close()
