"""§6 through the real CLI: multi-arm experiments with guardrails, summaries beside raw observations,
as-of, the experiment_outcomes table after a rebuild, and observations near ±1e308."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from tests.support.cli import cli_json, run_cli
from tests.support.scenario import Scenario
from tests.support.stores import STORES, module_store
from tests.support.views import import_file

pytestmark = pytest.mark.processes  # the CLI

AT = "2026-01-01T00:00:00Z"
RNG = random.Random(99)
ARMS = {"control": [RNG.gauss(30, 6) for _ in range(60)], "fast": [RNG.gauss(33, 6) for _ in range(55)],
        "slow": [RNG.gauss(30.5, 7) for _ in range(58)]}
RETURNS = {arm: [RNG.gauss(2.0 if arm != "fast" else 2.6, 0.5) for _ in values] for arm, values in ARMS.items()}


def _base() -> list[dict[str, Any]]:
    return (Scenario(at=AT).team("t").metric("basket", name="basket", unit="EUR")
            .metric("returns", name="returns", unit="n", direction="lower_is_better").lines())


def _experiment(key: str, *, summaries: bool) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = [
        {"type": "ProposeExperiment", "experiment": key, "team": "t", "hypothesis": "faster checkout",
         "metric": "basket", "design": "ab", "arms": list(ARMS), "guardrails": ["returns"], "mde": 0.05,
         "at": "2026-01-02T00:00:00Z"},
        {"type": "StartExperiment", "experiment": key, "at": "2026-01-03T00:00:00Z"},
    ]
    for arm, values in ARMS.items():
        for i, (value, ret) in enumerate(zip(values, RETURNS[arm], strict=True)):
            day = f"2026-01-{4 + i % 20:02d}T{i % 24:02d}:00:00Z"
            as_summary = summaries and arm == "fast" and i >= 20
            if not as_summary:
                lines.append({"type": "RecordObservation", "experiment": key, "arm": arm, "value": value, "at": day})
            lines.append({"type": "RecordObservation", "experiment": key, "arm": arm, "value": ret,
                          "metric": "returns", "at": day})
        if summaries and arm == "fast":
            rest = values[20:]
            lines.append({"type": "RecordArmSummary", "experiment": key, "arm": arm, "n": len(rest),
                          "sum": math.fsum(rest), "sum_squares": math.fsum(v * v for v in rest),
                          "at": "2026-01-25T00:00:00Z"})
    lines.sort(key=lambda line: line.get("at", ""))
    return lines


@pytest.fixture(scope="module", params=STORES)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    directory = tmp_path_factory.mktemp(f"stats-views-{request.param}")
    for url in module_store(request.param, directory):
        import_file(_base() + _experiment("raw3", summaries=False) + _experiment("mixed3", summaries=True), url,
                     directory)
        yield url, directory / "views.duckdb"


def _show(store: tuple[str, Path], key: str, *extra: str) -> Any:
    return cli_json("experiment", "show", key, "--json", *extra, store=store[0], views=store[1])


def test_three_arms_with_a_guardrail_against_scipy(store: tuple[str, Path]) -> None:
    view = _show(store, "raw3")
    assert [a["arm"] for a in view["arms"]] == list(ARMS)
    assert view["p_value"] == pytest.approx(stats.ttest_ind(ARMS["fast"], ARMS["control"], equal_var=False).pvalue,
                                            rel=1e-9)  # §4 headline: the first treatment
    goals = {c["arm"]: c for c in view["comparisons"] if c["metric"] == "basket"}
    raw_p = [stats.ttest_ind(ARMS[arm], ARMS["control"], equal_var=False).pvalue for arm in ("fast", "slow")]
    assert [goals[a]["p_value"] for a in ("fast", "slow")] == pytest.approx(raw_p, rel=1e-9)
    assert [goals[a]["p_adjusted"] for a in ("fast", "slow")] == pytest.approx(
        list(multipletests(raw_p, method="holm")[1]), rel=1e-9)
    guard = next(c for c in view["comparisons"] if c["metric"] == "returns" and c["arm"] == "fast")
    assert guard["role"] == "guardrail" and guard["abs_diff"] > 0 and guard["p_value"] < 0.05
    assert guard["chance_to_win"] < 0.05  # returns are lower-is-better: more returns lose
    assert view["recommendation"] == "rollback" and "guardrail" in view["because"]
    assert view["srm"]["observed"] == [60, 55, 58] and view["srm"]["mismatch"] is False
    assert view["srm"]["p_value"] == pytest.approx(stats.chisquare([60, 55, 58]).pvalue, rel=1e-9)
    assert view["power"]["n_per_arm_needed"] > 0 and 0 < view["power"]["achieved"] < 1


def test_summaries_and_raw_observations_give_the_same_answer(store: tuple[str, Path]) -> None:
    raw, mixed = _show(store, "raw3"), _show(store, "mixed3")
    for a, b in zip(raw["comparisons"], mixed["comparisons"], strict=True):
        for name in ("abs_diff", "abs_ci_low", "abs_ci_high", "p_value", "lift", "lift_ci_low", "p_adjusted",
                     "chance_to_win"):
            assert b[name] == pytest.approx(a[name], rel=1e-9), name
    assert raw["recommendation"] == mixed["recommendation"]


def test_as_of_sees_only_the_observations_until_then(store: tuple[str, Path]) -> None:
    cut = "2026-01-08T00:00:00Z"
    view = _show(store, "raw3", "--as-of", cut)
    early = {arm: [v for i, v in enumerate(values)
                   if f"2026-01-{4 + i % 20:02d}T{i % 24:02d}:00:00Z" <= cut] for arm, values in ARMS.items()}
    fast = next(c for c in view["comparisons"] if c["arm"] == "fast" and c["metric"] == "basket")
    assert fast["p_value"] == pytest.approx(
        stats.ttest_ind(early["fast"], early["control"], equal_var=False).pvalue, rel=1e-9)
    assert [a["n"] for a in view["arms"]] == [len(v) for v in early.values()]


def test_experiment_outcomes_rows_after_rebuild(store: tuple[str, Path]) -> None:
    url, views = store
    assert run_cli("project", "--rebuild", store=url, views=views).returncode == 0
    con = duckdb.connect(str(views), read_only=True)
    try:
        rows = con.execute(
            "SELECT arm, arm_metric, arm_role, arm_n, vs_control_p_value, recommendation FROM experiment_outcomes"
            " WHERE experiment = 'raw3' ORDER BY arm_metric, arm").fetchall()
    finally:
        con.close()
    assert [(r[0], r[1]) for r in rows] == [(a, m) for m in ("basket", "returns") for a in sorted(ARMS)]
    by_key = {(r[0], r[1]): r for r in rows}
    assert by_key[("control", "basket")][2:4] == ("control", 60)
    assert by_key[("fast", "returns")][2] == "guardrail" and by_key[("fast", "returns")][3] == 55
    shown = _show(store, "raw3")
    fast = next(c for c in shown["comparisons"] if c["arm"] == "fast" and c["metric"] == "basket")
    assert by_key[("fast", "basket")][4] == pytest.approx(fast["p_value"], rel=1e-12)
    assert {r[5] for r in rows} == {"rollback"}


def test_the_largest_inputs_the_edge_accepts_show_finite_json(tmp_path: Path) -> None:
    """Values at the 1e15 bound beside summaries whose sums reach 1e300: every number finite or null.
    (The analysis itself survives ±1e308 too: tests/unit/test_stats_edges.py.)"""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    lines = [*_base(), {"type": "ProposeExperiment", "experiment": "big", "team": "t", "hypothesis": "h",
                        "metric": "basket", "design": "ab", "at": "2026-01-02T00:00:00Z"},
             {"type": "StartExperiment", "experiment": "big", "at": "2026-01-03T00:00:00Z"}]
    for i, (arm, value) in enumerate([("control", 1e15), ("control", -1e15), ("control", 5e14),
                                      ("treatment", 1e15), ("treatment", 9e14), ("treatment", -1e15)]):
        lines.append({"type": "RecordObservation", "experiment": "big", "arm": arm, "value": value,
                      "at": f"2026-01-04T00:00:0{i}Z"})
    lines.append({"type": "RecordArmSummary", "experiment": "big", "arm": "treatment", "n": 2, "sum": 1e150,
                  "sum_squares": 1e300, "at": "2026-01-05T00:00:00Z"})
    import_file(lines, url, tmp_path)
    result = run_cli("experiment", "show", "big", "--json", store=url, views=tmp_path / "views.duckdb")
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON"))
    assert 0 <= view["p_value"] <= 1 and [a["n"] for a in view["arms"]] == [3, 5]
    assert view["arms"][1]["mean"] == pytest.approx((1e15 + 9e14 - 1e15 + 1e150) / 5, rel=1e-12)
    assert view["comparisons"][0]["p_value"] == pytest.approx(view["p_value"], rel=1e-9)
    assert run_cli("project", store=url, views=tmp_path / "views.duckdb").returncode == 0


def test_unknown_arm_and_non_binary_proportion_are_rejected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    import_file([*_base(), {"type": "ProposeExperiment", "experiment": "p", "team": "t", "hypothesis": "h",
                             "metric": "basket", "design": "ab", "kind": "proportion", "arms": ["a", "b"],
                             "at": "2026-01-02T00:00:00Z"},
                  {"type": "StartExperiment", "experiment": "p", "at": "2026-01-03T00:00:00Z"}], url, tmp_path)
    bad = [{"type": "RecordObservation", "experiment": "p", "arm": "control", "value": 1},
           {"type": "RecordObservation", "experiment": "p", "arm": "a", "value": 0.5},
           {"type": "RecordArmSummary", "experiment": "p", "arm": "b", "n": 10, "sum": 3, "sum_squares": 2},
           {"type": "RecordArmSummary", "experiment": "p", "arm": "b", "n": 10, "sum": 3, "sum_squares": 3},
           {"type": "ProposeExperiment", "experiment": "q", "team": "t", "hypothesis": "h", "metric": "basket",
            "design": "ab", "arms": ["a", "b"], "weights": [1, 2, 3]}]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in bad) + "\n")
    result = run_cli("import", str(path), store=url)
    assert result.returncode == 1
    errors = result.stderr
    assert "line 1:" in errors and "arm 'control' is not one of experiment p's arms (a, b)" in errors
    assert "line 2:" in errors and "value must be 0 or 1" in errors
    assert "line 3:" in errors and "sum_squares = sum" in errors
    assert "line 4:" not in errors
    assert "line 5:" in errors and "one entry per arm" in errors
