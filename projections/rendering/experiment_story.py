"""One presentation of an experiment's outcome, written once for the CLI text, the HTML report and the pages.

It leads with the comparison the recommendation rests on (``basis``: its arm, metric and method named),
with §4's plain Welch comparison beneath, labelled; it states the sample ratio and the power always and
gives every comparison a verdict in words (``tone`` tells a renderer which colour goes with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from projections.rendering import experiment_checks as checks
from projections.rendering import experiment_format as f

VERDICTS = {"better": ("better", "good"), "worse": ("worse", "bad"), "harmed": ("harmed", "bad"),
            "no_difference": ("no significant difference", "neutral"), "untested": ("not tested yet", "neutral")}
CORRECTIONS = {"holm": "Holm", "benjamini_hochberg": "Benjamini–Hochberg"}


@dataclass(frozen=True)
class Line:
    """One comparison as text: who against whom, by which method, the numbers and the verdict."""

    arm: str
    metric: str
    role: str
    pair: str  # "nav-app − paper-map on delivery-minutes"
    method: str
    difference: str  # "−1.35, 95% CI [−1.93, −0.78]"
    lift: str  # "−3.3% [−4.7%, −1.9%]"
    evidence: str  # "p < 0.0001", "chance to win 97.1%"
    verdict: str  # in words
    tone: str  # good | bad | neutral

    @property
    def text(self) -> str:
        """The comparison in one sentence (its verdict is shown beside it, in words and colour)."""
        head = f"{self.pair}{' (guardrail)' if self.role == 'guardrail' else ''}: "
        return f"{head}difference {self.difference}, lift {self.lift}, {self.evidence} ({self.method})"


@dataclass(frozen=True)
class Story:
    experiment: str
    recommendation: str
    because: str
    lead: Line | None  # the comparison the recommendation rests on
    plain: Line | None  # §4: the first treatment against the control, plain Welch, 95%
    lines: tuple[Line, ...]  # every comparison
    srm_state: str  # healthy | mismatch | not tested | not applicable
    srm: str
    power: str
    notes: tuple[str, ...]  # a before/after's caveat, XmR and interrupted time series
    over_time: tuple[tuple[str, str, str, str], ...]  # (period from, units, lift [interval], evidence)
    over_time_title: str  # what the effect over time follows: arm, control, metric, period and method

    @property
    def tone(self) -> str:
        """The recommendation's colour: ship good, rollback bad, the rest neutral."""
        return {"ship": "good", "rollback": "bad"}.get(self.recommendation, "neutral")


def method(e: dict[str, Any], row: dict[str, Any]) -> str:
    plan = e["plan"]
    name = ("Bayesian" if plan["engine"] == "bayesian" else
            f"sequential Welch test (N* = {plan['tuning']:g})" if plan["sequential"] else "Welch t-test")
    if plan["kind"] == "proportion" and row["metric"] == e["metric"]:
        name += " on proportions"
    if e.get("observational"):
        name += ", before/after (observational)"
    if row.get("cuped_theta") is None:
        return name
    reduced = row.get("variance_reduction")
    return f"CUPED-adjusted {name}" + ("" if reduced is None else f", variance reduced {reduced:.1%}")


def _intervals(e: dict[str, Any]) -> tuple[str, str]:
    """(the absolute difference's interval, the lift's when it is of another kind) as the engine names them:
    a Bayesian engine's lift has a credible interval, its difference none."""
    plan, level = e["plan"], f.level(e["plan"]["alpha"])
    if plan["engine"] == "bayesian":
        return "", f"{level} credible interval "
    return f"{level} {'confidence sequence' if plan['sequential'] else 'CI'}", ""


def line(e: dict[str, Any], row: dict[str, Any]) -> Line:
    control = e["plan"]["arms"][0]
    abs_label, lift_label = _intervals(e)
    places = f.decimals((row["abs_diff"], row["abs_ci_low"], row["abs_ci_high"]))
    difference = f.number(row["abs_diff"], places)
    if abs_label:
        difference += ", " + f.interval(row["abs_ci_low"], row["abs_ci_high"], places, abs_label)
    bayesian = e["plan"]["engine"] == "bayesian"
    evidence = f"chance to win {f.share(row['chance_to_win'])}" if bayesian else f.p_value(row["p_value"])
    adjusted = f.p_value(row.get("p_adjusted"))
    if not bayesian and row.get("p_adjusted") is not None and adjusted != evidence:
        evidence += f"; {CORRECTIONS.get(e['plan']['correction'], 'adjusted')}-adjusted {adjusted}"
    word, tone = VERDICTS[row.get("verdict") or "untested"]
    return Line(arm=row["arm"], metric=row["metric"], role=row["role"],
                pair=f"{row['arm']} {f.MINUS} {control} on {row['metric']}", method=method(e, row),
                difference=difference, lift=f.signed_pct(row["lift"]) + f.pct_interval(
                    row["lift_ci_low"], row["lift_ci_high"], lift_label),
                evidence=evidence, verdict=word, tone=tone)


def plain(e: dict[str, Any]) -> Line | None:
    """§4's fields: the first treatment against the control by a plain Welch t-test, 95%."""
    arms = e["plan"]["arms"]
    if len(arms) < 2:
        return None
    places = f.decimals((e["abs_diff"], e["ci_low"], e["ci_high"]))
    return Line(arm=arms[1], metric=e["metric"], role="goal", pair=f"{arms[1]} {f.MINUS} {arms[0]} on {e['metric']}",
                method="plain Welch t-test, unadjusted",
                difference=f.number(e["abs_diff"], places) + ", " + f.interval(e["ci_low"], e["ci_high"], places,
                                                                                  "95% CI"),
                lift=f.signed_pct(e["lift"]), evidence=f.p_value(e["p_value"]), verdict="", tone="neutral")


def over_time_title(e: dict[str, Any]) -> str:
    """One caption for the effect over time, the chart's, its table's and the CLI's: the method named too."""
    series = e.get("over_time")
    if not series:
        return ""
    title = (f"{e['experiment']}: cumulative lift of {series['arm']} over {e['plan']['arms'][0]} on "
             f"{series['metric']}, by {series['unit']}")
    row = next((c for c in e.get("comparisons", []) if (c["arm"], c["metric"]) == (series["arm"], series["metric"])),
               None)
    return title if row is None else f"{title} ({method(e, row)})"


def story(e: dict[str, Any]) -> Story:
    rows = e.get("comparisons", [])
    basis = e.get("basis")
    lead = next((r for r in rows if basis and (r["arm"], r["metric"]) == (basis["arm"], basis["metric"])), None)
    state, srm_text = checks.srm(e)
    return Story(experiment=e["experiment"], recommendation=e["recommendation"], because=e["because"],
                 lead=line(e, lead) if lead else None, plain=plain(e), lines=tuple(line(e, r) for r in rows),
                 srm_state=state, srm=srm_text, power=checks.power(e), notes=checks.notes(e),
                 over_time=checks.over_time(e), over_time_title=over_time_title(e))
