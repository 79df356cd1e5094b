"""docs/brief.md §10's read rules (``domain.read_policy``) on the views: who a reader is, and the show
answers and the audit trail as that reader may see them.

A ``Viewer`` is one query of small tables of the views (membership, representatives, the council),
never a store replay. Redaction works on the answers of ``projections.queries`` (and ``retro``): a
field one may not read becomes ``null`` and is named in ``redacted`` (on the object that holds it,
and as a path on the answer); list items one may not see are left out. The council's answers are
the operator's, unchanged (no ``redacted`` key), so they stay equal to ``show --json``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

import duckdb

from domain import read_policy as rp
from domain.read_policy import Viewer, may_see_internal, sees_all_events
from projections.client_rules import COMPLAINT_LISTS, client_answer, without_texts
from projections.signals.active import may_see
from projections.timeline import as_of_value

__all__ = ["NotReadable", "Viewer", "may_see_internal", "sees_all_events", "viewer_of"]

CONCERNED = """
SELECT promisor AS team, promisee AS client FROM promise_history WHERE business_at <= $as_of
UNION SELECT team, client FROM value_propositions WHERE business_at <= $as_of
UNION SELECT team, client FROM canvases WHERE business_at <= $as_of
UNION SELECT coalesce(f.team, p.promisor), f.client FROM feedback f
      LEFT JOIN promise_state_as_of($as_of) p ON p.promise = f.promise WHERE f.business_at <= $as_of
UNION SELECT a.team, f.client FROM feedback_assignments a JOIN feedback f USING (feedback_id)
      WHERE a.business_at <= $as_of
"""
"""docs/brief.md §10: ``(team, client)`` for each team concerned with a client as of ``$as_of`` (a promise,
proposition, canvas or feedback for it; feedback belongs to its team, else to its promise's promisor). The one
definition behind a client's ``teams`` (``client show``) and a reader's ``concerned`` clients (lists, pages)."""


_VIEWER = """
SELECT coalesce((SELECT change = 'appointed' FROM council_changes WHERE person = $person
                 ORDER BY position DESC LIMIT 1), false),
       (SELECT list(team) FROM team_members WHERE person = $person),
       (SELECT list(team) FROM team_members WHERE person = $person AND lead),
       (SELECT list(DISTINCT client) FROM client_representatives WHERE person = $person)
"""


def viewer_of(con: duckdb.DuckDBPyConnection, person: str) -> Viewer:
    """The reader ``person`` as the views know them now (their rights now, whatever ``as_of`` a page asks):
    one query; the clients their teams are concerned with are asked only where needed (``with_concerned``)."""
    council, teams, leads, clients = con.execute(_VIEWER, {"person": person}).fetchone() or (False, [], [], [])
    if council:
        return Viewer(person, council=True)
    return Viewer(person, teams=frozenset(teams or ()), leads=frozenset(leads or ()), clients=frozenset(clients or ()))


def with_concerned(con: duckdb.DuckDBPyConnection, viewer: Viewer, as_of: datetime | None = None) -> Viewer:
    """``viewer`` with the clients their teams are concerned with as of ``as_of`` (None: now), for a client's
    personal fields: the same time as the answer it redacts, so a list and a client's page agree."""
    if viewer.council or not viewer.teams:
        return viewer
    found = con.execute(f"SELECT DISTINCT client FROM ({CONCERNED}) WHERE team IN (SELECT unnest($teams))",
                        {"teams": sorted(viewer.teams), "as_of": as_of_value(as_of)}).fetchall()
    return replace(viewer, concerned=frozenset(c for (c,) in found if c))


class NotReadable(Exception):
    """Nothing of the object may be read by this viewer: a 403 naming the rule."""

    def __init__(self, rule: rp.ReadRule) -> None:
        super().__init__(f"{rule.rule}: {rule.what} — {rule.who}")
        self.rule = rule.rule


def require_internal(viewer: Viewer, what: str) -> None:
    """Experiments and retrospectives are the company's own: refuse an external client (403)."""
    if not rp.may_see_internal(viewer):
        raise NotReadable(rp.ReadRule(rp.EXTERNAL.rule, f"{what} is internal", rp.EXTERNAL.who))


def _nulled(item: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {**item, **dict.fromkeys(fields), "redacted": list(fields)}


def _payouts(viewer: Viewer, team: str, rows: list[dict[str, Any]], paths: set[str]) -> list[dict[str, Any]]:
    """Economics rows with each payout one may not see nulled (base pay and bonus)."""
    out = []
    for row in rows:
        if "payouts" in row:
            payouts = [p if rp.may_see_pay(viewer, team, p["person"]) else _nulled(p, ("base_pay", "bonus"))
                       for p in row["payouts"]]
            if any("redacted" in p for p in payouts):
                paths.update(("economics.payouts.base_pay", "economics.payouts.bonus"))
            row = {**row, "payouts": payouts}
        out.append(row)
    return out


def complaint_clients(viewer: Viewer) -> tuple[str, ...] | None:
    """Whose complaints a team's answer lists for ``viewer``: an external client's own clients' (read, counted and
    paged among themselves), else everyone's (None)."""
    return tuple(sorted(viewer.clients)) if viewer.external else None


def _complaints(viewer: Viewer, team: str, rows: list[dict[str, Any]], paths: set[str],
                name: str) -> list[dict[str, Any]]:
    """The complaints of list ``name`` with their personal texts (``COMPLAINT_TEXTS`` it carries) nulled for a
    reader who may not see them."""
    if viewer.external:  # lists leave out what one may not see: an external client's own clients only
        return [c for c in rows if c["client"] in viewer.clients]
    out = [c if rp.may_see_feedback_text(viewer, team, c["client"]) else without_texts(c) for c in rows]
    paths.update(f"{name}.{field}" for c in out for field in c.get("redacted", ()))
    return out


INTERNAL_TEAM_FIELDS = ("members", "economics", "feedback_by_period", "communication_rules", "authorities",
                        "open_complaints_count", "self_funded_months", "success_metric",
                        "resolved_complaints_count", "complaint_response_within", "complaint_resolution_within")


def team_answer(viewer: Viewer, view: dict[str, Any] | None) -> dict[str, Any] | None:
    """``team show`` as ``viewer`` may read it (every team's name is open to everyone)."""
    return None if view is None else redact_team(viewer, view)


def redact_team(viewer: Viewer, view: dict[str, Any]) -> dict[str, Any]:
    if viewer.council:
        return view
    team = view["team"]
    paths: set[str] = set()
    answer = {**view, **{name: _complaints(viewer, team, view[name], paths, name) for name in COMPLAINT_LISTS}}
    if viewer.external:
        answer["promises"] = [p for p in view["promises"] if rp.may_see_promise(viewer, p["promisee"])]
        answer["promises_received"] = []  # promises to a team are internal
        answer.update(dict.fromkeys(INTERNAL_TEAM_FIELDS))
        paths.update(INTERNAL_TEAM_FIELDS)
    else:
        answer["economics"] = _payouts(viewer, team, view["economics"], paths)
    if paths:
        answer["redacted"] = sorted(paths)
    return answer


def promise_answer(viewer: Viewer, view: dict[str, Any] | None) -> dict[str, Any] | None:
    """``promise show``: open to the company; to an external client only a promise made to their client."""
    if view is None or not rp.may_see_promise(viewer, view["promisee"]):
        return None
    return view


def experiment_answer(viewer: Viewer, view: dict[str, Any] | None) -> dict[str, Any] | None:
    require_internal(viewer, "an experiment")
    return view


def retro_answer(viewer: Viewer, retro: dict[str, Any]) -> dict[str, Any]:
    """A retrospective (internal): its economics' payouts and its signals as ``viewer`` may see them."""
    require_internal(viewer, "a retrospective")
    if viewer.council:
        return retro
    paths: set[str] = set()
    answer = {**retro, "economics": _payouts(viewer, retro["team"], retro["economics"], paths)}
    if "signals" in retro:  # docs/brief.md §9: those of one's teams and of the clients one represents
        answer["signals"] = [s for s in retro["signals"] if may_see(viewer, s.get("teams", ()), s.get("client"))]
    if paths:
        answer["redacted"] = sorted(paths)
    return answer


def list_params(viewer: Viewer) -> dict[str, Any]:
    """What the lists' SQL (``projections.lists``) filters by, ``domain.read_policy``'s rules as parameters:
    ``r_internal`` (``may_see_internal``: every client, promise, experiment and person), ``r_clients`` (an
    external client's own: ``may_see_client``/``may_see_promise``), ``r_person`` (``may_see_person``) and
    ``r_council``/``r_details`` (``may_see_client_details``; give ``with_concerned(viewer)``)."""
    return {"r_internal": rp.may_see_internal(viewer), "r_clients": sorted(viewer.clients),
            "r_person": viewer.person, "r_council": viewer.council,
            "r_details": sorted(viewer.clients | viewer.concerned)}


ANSWERS = {"team": team_answer, "promise": promise_answer, "experiment": experiment_answer,
           "client": client_answer}
"""The show answers by kind, as a viewer may read them."""


# The audit trail --------------------------------------------------------------------------------------------------

def _in_range(alias: str = "") -> str:
    return f"{alias}position > $v_after AND {alias}position <= $v_upto"


def events_of(group: str) -> str:
    """SQL over ``event_log e``: the events of the teams ``$<group>_teams`` and the clients ``$<group>_clients``
    (lists) at positions in ($v_after, $v_upto]: the teams' own, their promises' (made by or to them or the
    clients), experiments and their observations, ledger entries, reviews, process changes, adoptions (by them
    or of their experiments), canvases and feedback; the clients' own but their value propositions (internal).
    One text for the read rule and the audit trail's ``team=`` filter."""
    teams, clients = f"(SELECT unnest(${group}_teams))", f"(SELECT unnest(${group}_clients))"
    promises = (f"SELECT promise FROM promise_history WHERE promisor IN {teams} OR promisee IN {teams}"
                f" OR promisee IN {clients}")
    in_range = _in_range()
    return f"""((e.aggregate_type = 'Team' AND e.key IN {teams})
 OR (e.aggregate_type = 'Client' AND e.key IN {clients} AND e.event <> 'ValuePropositionDefined')
 OR (e.aggregate_type = 'Promise' AND e.key IN ({promises}))
 OR (e.aggregate_type = 'Experiment' AND e.key IN (SELECT experiment FROM experiments WHERE team IN {teams}))
 OR e.position IN (
    SELECT position FROM ledger_entries WHERE {in_range} AND team IN {teams}
    UNION ALL SELECT position FROM error_reviews WHERE {in_range} AND team IN {teams}
    UNION ALL SELECT position FROM process_changes WHERE {in_range} AND team IN {teams}
    UNION ALL SELECT position FROM adoptions WHERE {in_range} AND (team IN {teams} OR experiment IN (
        SELECT experiment FROM experiments WHERE team IN {teams}))
    UNION ALL SELECT position FROM canvases WHERE {in_range} AND team IN {teams}
    UNION ALL SELECT o.position FROM observations o WHERE {_in_range('o.')} AND o.experiment IN (
        SELECT experiment FROM experiments WHERE team IN {teams})
    UNION ALL SELECT position FROM feedback WHERE {in_range} AND (team IN {teams}
        OR client IN {clients} OR promise IN ({promises}))
    UNION ALL SELECT r.position FROM (SELECT position, business_at, feedback_id FROM feedback_resolutions
        UNION ALL SELECT position, business_at, feedback_id FROM feedback_responses
        UNION ALL SELECT position, business_at, feedback_id FROM feedback_assignments) r
        JOIN feedback f USING (feedback_id)
        WHERE {_in_range('r.')} AND (f.team IN {teams} OR f.client IN {clients} OR f.promise IN ({promises})
            OR f.feedback_id IN (SELECT feedback_id FROM feedback_assignments WHERE team IN {teams}))))"""


VISIBLE_EVENT = f"($v_all OR e.actor = $v_person OR {events_of('v')})"
"""SQL over ``event_log e``: the events the viewer of ``audit_params`` may see (§10 "the audit trail")."""


def audit_params(viewer: Viewer, after: int = -1, upto: int = 1 << 62) -> dict[str, Any]:
    """The parameters ``VISIBLE_EVENT`` takes for ``viewer`` (their own acts are theirs to see too), for the
    events at positions in (after, upto]."""
    return {"v_all": rp.sees_all_events(viewer), "v_person": viewer.person, "v_teams": sorted(viewer.teams),
            "v_clients": sorted(viewer.clients), "v_after": after, "v_upto": upto}


def visible_positions(con: duckdb.DuckDBPyConnection, viewer: Viewer, after: int, upto: int) -> list[int]:
    """The stored positions in (after, upto] whose events ``viewer`` may see (what a live stream carries)."""
    if rp.sees_all_events(viewer):
        return list(range(after + 1, upto + 1))
    rows = con.execute(
        f"SELECT position FROM event_log e WHERE {_in_range('e.')} AND {VISIBLE_EVENT} ORDER BY position",
        audit_params(viewer, after, upto),
    ).fetchall()
    return [position for (position,) in rows]
