"""The experiment page as rendered: its outcome, where the solution spread, the forms "Start experiment", "Record
results" (one observation, an arm's summary, a CSV file) and "Conclude experiment" for the team running it (each in
the state where it applies, for people the permission table allows), and the "Adopt solution" form.

The form is offered on an experiment concluded ``adopt`` to a person who may record ``AdoptSolution`` for a team
of theirs other than the one that ran it and not yet adopting it (the permission table decides); it chooses one
of those teams and a metric a team of theirs owns, and posts through the one command path. A refusal (a metric
of another team, a second adoption) shows the page again with the rule beside the form.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from projections import queries, read_rules
from projections.rendering import experiment_html
from projections.rendering.experiment_spread import reach, spread
from web.page_context import Page, not_found, readable
from web.results_csv import MAX_BYTES, MAX_ROWS
from web.templating import chart
from web.upload_keys import new_key

TEAM_METRICS = """
SELECT t.team, arg_max(t.name, t.business_at) AS name,
    list(struct_pack(metric := m.metric, name := m.name) ORDER BY m.name, m.metric)
        FILTER (m.metric IS NOT NULL) AS metrics
FROM teams t LEFT JOIN metrics m ON m.owner = t.team AND m.business_at <= $as_of
WHERE t.team IN (SELECT unnest($teams)) AND t.business_at <= $as_of
GROUP BY t.team ORDER BY name, t.team
"""
"""Each of the given teams with the metrics it owns (where an adoption's effect may be measured)."""


def adoption_command(key: str, form: dict[str, str]) -> dict[str, Any]:
    return {"type": "AdoptSolution", "experiment": key,
            **{name: form.get(name, "").strip() for name in ("team", "metric", "reason")}}


def adopting_teams(p: Page, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The viewer's teams that may take the solution up now, each with the metrics it owns (none: no form)."""
    if p.past or p.viewer.scope != "write" or view["decision"] != "adopt":
        return []
    taken = {view["team"], *(a["team"] for a in view["adoptions"])}
    probe = {"metric": view["metric"], "reason": "-"}
    teams = sorted(t for t in p.workspace.reader(p.viewer).teams - taken
                   if p.workspace.refusal(p.viewer, adoption_command(view["experiment"], {**probe, "team": t})) is None)
    if not teams:
        return []
    rows = p.workspace.read(lambda con: con.execute(TEAM_METRICS, {"teams": teams, "as_of": p.as_of}).fetchall())
    return [{"team": team, "name": name, "metrics": list(metrics or [])} for team, name, metrics in rows]


def _actions(p: Page, e: dict[str, Any]) -> dict[str, Any]:
    """What this person may do to the experiment now: nothing as of a past date or with a read token."""
    if p.past or p.viewer.scope != "write":
        return {}

    def allowed(kind: str) -> bool:
        return p.workspace.refusal(p.viewer, {"type": kind, "experiment": e["experiment"]}) is None

    running = e["status"] == "running"
    return {
        "start": e["status"] == "proposed" and allowed("StartExperiment"),
        "record": running and e["design"] == "ab" and allowed("RecordObservation"),
        "conclude": running and allowed("ConcludeExperiment"),
        "arms": e["plan"]["arms"],
        "metrics": [e["metric"], *e["plan"]["guardrails"]],
    }


def render_experiment(p: Page, key: str, *, failed: str | None = None, error: str | None = None,
                      form: dict[str, str] | None = None, status: int = 200) -> Response:
    """The page; ``failed`` names the form (``adopt``, or one of ``web.pages_experiment``'s) whose ``error`` shows
    beside it, with ``form`` (what was typed) kept in it."""
    readable(read_rules.require_internal, p.workspace.reader(p.viewer), "an experiment")
    view = p.workspace.read(lambda con: queries.experiment_view(con, key, p.as_of))
    if view is None:
        raise not_found(p, "experiment", key)
    return p.html("experiment.html", p.context(
        f"Experiment {key}", path=f"/experiments/{key}",
        crumbs=(("Start", p.link("/")), (f"team {view['team']}", p.link(f"/teams/{view['team']}")),
                (f"experiment {key}", None)),
        e=view, outcome=chart(experiment_html.outcome(view)),  # the HTML report's fragment: one story for both
        spread=spread(view), reach=reach(view), adopting=adopting_teams(p, view),
        error=error if failed == "adopt" else None, form=form if failed == "adopt" and form else {},
        actions=_actions(p, view), failed=failed, action_error=error, typed=form or {},
        csv={"max_rows": f"{MAX_ROWS:,}", "max_mib": MAX_BYTES // (1 << 20)}, upload_key=new_key(),
    ), status)
