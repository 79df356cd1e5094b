"""The team page's daily forms (docs/brief.md §8 "Daily forms"): which of "Record reading", "Log complaint",
"Record error review", "Record process change" and "Define metric" this person may use (each asked of the one
permission table, as the buttons of a promise page are), what they choose among, and the team's error reviews
and process changes they record, newest first."""

from __future__ import annotations

from typing import Any

from domain.read_policy import may_see_client, may_see_client_details
from projections import read_rules
from projections.timeline import iso
from web.page_context import Page

CHOICES = 200
"""At most this many metrics and clients are offered in a form's list (members can add both without bound)."""
RECORDS_SHOWN = 20
"""The newest error reviews and process changes listed on the team page (the retrospective has them all)."""


def _allowed(p: Page, command: dict[str, Any]) -> bool:
    return p.workspace.refusal(p.viewer, command) is None


def _reading_metrics(p: Page, team: str, view: dict[str, Any]) -> list[dict[str, Any]]:
    """The team's metrics (owned by it, or measuring its promises) this person may record readings of."""
    promised = sorted({promise["metric"] for promise in view["promises"] if promise.get("metric")})
    found = p.workspace.read(lambda con: con.execute(
        "SELECT metric, name, unit FROM metrics WHERE business_at <= ? AND (owner = ? OR metric IN "
        "(SELECT unnest(?::VARCHAR[]))) ORDER BY name LIMIT ?", [p.as_of, team, promised, CHOICES]).fetchall())
    return [{"metric": m, "name": n, "unit": u} for m, n, u in found
            if _allowed(p, {"type": "RecordReading", "metric": m})]


def complaint_clients(p: Page) -> list[dict[str, str]]:
    """The clients this person may log a complaint for: those they may see, by name where they may read it."""
    reader = p.workspace.reader(p.viewer)

    def query(con: Any) -> list[dict[str, str]]:
        who = read_rules.with_concerned(con, reader, p.as_of)
        rows = con.execute("SELECT client, name FROM clients WHERE business_at <= ? ORDER BY name LIMIT ?",
                           [p.as_of, CHOICES]).fetchall()
        return [{"key": k, "label": f"{n} ({k})" if may_see_client_details(who, k) else k}
                for k, n in rows if may_see_client(who, k)]

    return p.workspace.read(query)  # type: ignore[no-any-return]


def may_log_for(p: Page, client: str) -> bool:
    """May this person name ``client`` in a complaint logged on a team page (one they may see)?"""
    reader = p.workspace.reader(p.viewer)
    return client in reader.clients or bool(p.workspace.read(
        lambda con: may_see_client(read_rules.with_concerned(con, reader, p.as_of), client)))


def _records(p: Page, team: str) -> dict[str, Any]:
    def query(con: Any) -> dict[str, Any]:
        asked = [team, p.as_of, RECORDS_SHOWN]
        reviews = con.execute("SELECT review, what_happened, cause, lesson, promise, business_at FROM error_reviews "
                              "WHERE team = ? AND business_at <= ? ORDER BY business_at DESC, review LIMIT ?", asked)
        review_rows = reviews.fetchall()
        changes = con.execute("SELECT change, description, experiment, review, business_at FROM process_changes "
                              "WHERE team = ? AND business_at <= ? ORDER BY business_at DESC, change LIMIT ?", asked)
        return {"reviews": [{**dict(zip(("review", "what_happened", "cause", "lesson", "promise"), r[:5], strict=True)),
                             "at": iso(r[5])} for r in review_rows],
                "changes": [{**dict(zip(("change", "description", "experiment", "review"), r[:4], strict=True)),
                             "at": iso(r[4])} for r in changes.fetchall()]}

    return p.workspace.read(query)  # type: ignore[no-any-return]


def daily_context(p: Page, team: str, view: dict[str, Any], experiments: list[dict[str, Any]]) -> dict[str, Any]:
    """The forms' part of the team page's context: ``daily`` (what is offered) and ``records``."""
    internal = read_rules.may_see_internal(p.workspace.reader(p.viewer))
    records = _records(p, team) if internal else {"reviews": [], "changes": []}
    if p.past or p.viewer.scope != "write":
        return {"daily": {}, "records": records}
    on_team = {"team": team}
    daily: dict[str, Any] = {
        "metrics": _reading_metrics(p, team, view),
        "clients": complaint_clients(p) if _allowed(p, {"type": "RecordFeedback", **on_team}) else [],
        "review": _allowed(p, {"type": "RecordErrorReview", **on_team}),
        "change": _allowed(p, {"type": "RecordProcessChange", **on_team}),
        "experiment": _allowed(p, {"type": "ProposeExperiment", **on_team}),
        "define": _allowed(p, {"type": "DefineMetric"}),
        "own": _allowed(p, {"type": "DefineMetric", "owner": team}),
        "rules": _allowed(p, {"type": "SetCommunicationRules", **on_team}),
        "promises": [promise["promise"] for promise in view["promises"]],
        "experiments": [e["experiment"] for e in experiments],
    }
    return {"daily": daily, "records": records}
