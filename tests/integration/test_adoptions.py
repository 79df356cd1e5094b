"""Where a proven solution spread (docs/brief.md §11): each adoption's effect on the adopting team's own metric,
answered by ``experiment show`` on SQLite and PostgreSQL, checked against scipy's Welch test computed here."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scipy import stats

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from projections.runner import ProjectionRunner, rebuild
from projections.view_store import connect
from tests.support.scenario import Scenario
from tests.support.views import answer_in_process, table_checksums

ADOPTED = datetime(2026, 3, 3, 9, tzinfo=UTC)
DAY = timedelta(days=1)
MID = ADOPTED + 7 * DAY  # the as-of time while the after window fills
rng = random.Random(23)
BEFORE = [(ADOPTED - (26 - 2 * i) * DAY - timedelta(hours=1), round(rng.gauss(12.0, 1.5), 2)) for i in range(12)]
AFTER = [(ADOPTED + 2 * i * DAY, round(rng.gauss(10.0, 1.2), 2)) for i in range(14)]
OUTSIDE = [(ADOPTED - 29 * DAY, 40.0), (ADOPTED + 28 * DAY, 40.0), (ADOPTED + 40 * DAY, 1.0)]  # in neither window


def _at(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def lines() -> list[dict[str, Any]]:
    """Kitchen proves shorter waits; bakery takes the change up on 3 Mar and measures its own waiting time."""
    start = "2026-01-10T09:00:00Z"
    scenario = (Scenario(at="2026-01-05T09:00:00Z").team("kitchen").metric("wait").team("bakery")
                .metric("bake-wait", name="Waiting time", unit="min", direction="lower_is_better", owner="bakery")
                .add("ProposeExperiment", experiment="x", team="kitchen", hypothesis="Pagers cut waits", metric="wait",
                     design="before_after")
                .add("StartExperiment", experiment="x", at=start)
                .add("ConcludeExperiment", experiment="x", decision="adopt", learning="pagers",
                     at="2026-02-01T09:00:00Z"))
    for moment, value in sorted(BEFORE + AFTER + OUTSIDE):
        scenario.reading(value, "bake-wait", at=_at(moment))
    return [*scenario, {"type": "AdoptSolution", "experiment": "x", "team": "bakery", "metric": "bake-wait",
                        "reason": "our queue is as long", "at": _at(ADOPTED)}]


def imported(store: str) -> None:
    ledger = Ledger.open(store)
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in lines()])
        assert result.rejected == [] and result.forbidden == [], result
    finally:
        ledger.close()


def welch(before: list[float], after: list[float]) -> dict[str, Any]:
    """The effect as scipy computes it (after against before, unequal variances)."""
    test = stats.ttest_ind(after, before, equal_var=False)
    return {"before_mean": sum(before) / len(before), "after_mean": sum(after) / len(after),
            "abs_diff": sum(after) / len(after) - sum(before) / len(before), "p_value": float(test.pvalue),
            "n_before": len(before), "n_after": len(after)}


@pytest.fixture
def answers(store_url: str, tmp_path: Path) -> dict[str | None, Any]:
    imported(store_url)
    as_of = {None: None, "mid": _at(MID), "before": _at(ADOPTED - timedelta(seconds=1)),
             "second": _at(ADOPTED + timedelta(hours=1))}
    found = answer_in_process([("experiment", "x", at) for at in as_of.values()], store_url,
                              tmp_path / "views.duckdb")
    return {name: found[("experiment", "x", at)] for name, at in as_of.items()}


def test_the_effect_is_scipys_welch_on_the_28_days_either_side(answers: dict[str | None, Any]) -> None:
    (adoption,) = answers[None]["adoptions"]
    assert {k: adoption[k] for k in ("team", "at", "metric", "metric_name", "unit", "direction")} == {
        "team": "bakery", "at": ADOPTED.isoformat(), "metric": "bake-wait", "metric_name": "Waiting time",
        "unit": "min", "direction": "lower_is_better"}
    expected = welch([v for _, v in BEFORE], [v for _, v in AFTER])
    effect = adoption["effect"]
    assert effect["because"] is None
    assert {k: effect[k] for k in ("n_before", "n_after")} == {"n_before": 12, "n_after": 14}
    for name in ("before_mean", "after_mean", "abs_diff", "p_value"):
        assert effect[name] == pytest.approx(expected[name], rel=1e-9), name


def test_the_after_window_is_read_up_to_the_as_of_time(answers: dict[str | None, Any]) -> None:
    after = [v for at, v in AFTER if at <= MID]
    assert len(after) == 4
    effect = answers["mid"]["adoptions"][0]["effect"]
    expected = welch([v for _, v in BEFORE], after)
    assert effect["n_after"] == 4
    assert effect["p_value"] == pytest.approx(expected["p_value"], rel=1e-9)


def test_no_adoption_before_it_and_no_numbers_until_two_readings_after(answers: dict[str | None, Any]) -> None:
    assert answers["before"]["adoptions"] == []
    effect = answers["second"]["adoptions"][0]["effect"]  # one reading after so far: the one at the adoption
    assert (effect["n_before"], effect["n_after"]) == (12, 1)
    assert [effect[k] for k in ("before_mean", "after_mean", "abs_diff", "p_value")] == [None] * 4
    assert effect["because"] == "each window needs 2 readings: the 28 days before hold 12, the 28 days after 1"


def test_the_views_rebuilt_equal_the_views_caught_up_in_steps(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    incremental = tmp_path / "incremental.duckdb"
    ledger = Ledger.open(store)
    try:
        commands = [COMMAND_ADAPTER.validate_python(line) for line in lines()]
        for lo in range(0, len(commands), 9):
            assert ledger.execute(commands[lo:lo + 9]).rejected == []
            con = connect(incremental)
            try:
                ProjectionRunner(ledger.store, con, batch=5).catch_up()
            finally:
                con.close()
        rebuild(ledger.store, tmp_path / "rebuilt.duckdb")
    finally:
        ledger.close()
    sums = table_checksums(incremental)
    assert sums["adoptions"][0] == 1
    assert sums == table_checksums(tmp_path / "rebuilt.duckdb")


def test_two_writers_adopting_for_one_team_record_one_adoption_and_another_team_never_clashes(
        store_url: str) -> None:
    """The store keeps "once per team" across writers: an adoption decided before another writer recorded the
    same team's fails as a write conflict (the retry re-decides it, and refuses it naming the rule); another
    team's adoption recorded meanwhile changes nothing the batch relied on (the experiment is not changed)."""
    from eventsourcing.persistence import IntegrityError

    from domain.service.command_batch import decide_batch
    from domain.service.retry import is_write_conflict

    def adopt(team: str, metric: str) -> dict[str, Any]:
        return {"type": "AdoptSolution", "experiment": "x", "team": team, "metric": metric, "reason": "r",
                "at": _at(ADOPTED)}

    setup = [line for line in lines() if line["type"] != "AdoptSolution"]
    setup.append({"type": "DefineMetric", "metric": "deli-wait", "name": "Deli", "unit": "min",
                  "direction": "lower_is_better", "owner": "deli", "at": "2026-01-05T09:00:00Z"})
    setup.insert(0, {"type": "FormTeam", "team": "deli", "name": "Deli", "at": "2026-01-05T09:00:00Z"})
    ledger, other = Ledger.open(store_url), Ledger.open(store_url)
    try:
        assert ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in setup]).rejected == []

        def decided(line: dict[str, Any]) -> Any:
            command = COMMAND_ADAPTER.validate_python(line)
            result, uow = decide_batch(ledger.store, ledger.repository, [command], datetime.now(UTC), None, False)
            assert result.accepted == [0], result
            return uow

        first, second = decided(adopt("bakery", "bake-wait")), decided(adopt("bakery", "bake-wait"))
        assert other.execute([COMMAND_ADAPTER.validate_python(adopt("deli", "deli-wait"))]).accepted == [0]
        ledger.record(first.events, tracking=None, receipts=first.receipts, guards=first.guards())
        before = ledger.store.max_notification_id()
        with pytest.raises(IntegrityError) as raised:
            ledger.record(second.events, tracking=None, receipts=second.receipts, guards=second.guards())
        assert is_write_conflict(raised.value) and ledger.store.max_notification_id() == before
        again = ledger.execute([COMMAND_ADAPTER.validate_python(adopt("bakery", "bake-wait"))])
        assert [reason for _, reason in again.rejected] == [
            "AdoptSolution: a team adopts a solution once; team 'bakery' adopted experiment 'x' already"]
    finally:
        ledger.close()
        other.close()
