"""``team show``: a team's members, promises, complaints, economics, success metric, feedback and rules as of a
business time.

``as_of`` is a naive-UTC datetime (``timeline.FOREVER`` for "everything"); every query reads only facts with
``business_at <= as_of``, so an as-of answer equals the answer on a store that holds only those events. Every
as-of answer plans its statements anew and planning is most of its cost, so the answer is read in few of them;
and all of it but the complaints' clocks (judged at the as-of moment itself) is the same as of any moment that
sees the same facts (``fact_time``), at any views position, so a caller may keep those parts (``remember``) and
judge only the open complaints' clocks for each new moment: the success metric under every fact, the rest,
which reads no reading nor observation, under the facts besides those streams.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any

import duckdb

from projections.clock_rows import DURATIONS
from projections.complaint_clock import clock_time
from projections.complaint_pages import (
    OPEN_COMPLAINTS_LIMIT,
    complaint_pages,
    judged_at,
    open_complaint,
    resolved_complaint,
)
from projections.economics import economics
from projections.fact_time import Facts, facts_as_of
from projections.feedback_sql import TEAM_COMPLAINTS, feedback_by_period
from projections.growth import self_funded_months
from projections.parsed_sql import run
from projections.promise_answer import REQUIREMENTS, SUMMARY_FIELDS, authority_gaps, promise_summary
from projections.snapshot import snapshot
from projections.success_metric import success_metric

Remember = Callable[[Hashable, Callable[[], Any]], Any]
"""``remember(question, compute)``: the answer to ``question`` kept for the views file, else ``compute()``, kept.
``team_view``'s questions name the facts they were read from themselves (``kept_at``), so they hold at any views
position of the file (not across files: a rebuilt file, after a forget, must not be answered from the old one's)."""

PROMISE_FIELDS = ", ".join(f"s.{field}" for field in SUMMARY_FIELDS)
INTERNAL = ("made", "rule_settings")
"""What ``team_facts`` reads for the rest of the answer (the promises the team made, its rule settings), not shown."""
RULE_FIELDS = ", ".join(f"'{field}': {field}" for field in ("rules", "business_at", *DURATIONS))

TEAM_CORE = f"""
SELECT t.name, m.members, r.rules, a.authorities, p.promises
FROM (SELECT name FROM teams WHERE team = $team AND business_at <= $as_of) t
CROSS JOIN (SELECT list({{'person': person, 'role': role, 'lead': lead}} ORDER BY person) AS members
    FROM team_members_as_of($as_of) WHERE team = $team) m
CROSS JOIN (SELECT list({{{RULE_FIELDS}}} ORDER BY business_at, position) AS rules
    FROM team_rules WHERE team = $team AND business_at <= $as_of) r
CROSS JOIN (SELECT list({{'authority': authority, 'description': description}} ORDER BY authority) AS authorities
    FROM authorities_as_of($as_of) WHERE team = $team) a
CROSS JOIN (SELECT list(p ORDER BY p.promise) AS promises FROM (SELECT {PROMISE_FIELDS}, r.requires
    FROM promise_state_as_of($as_of) s LEFT JOIN ({REQUIREMENTS}) r ON r.promise = s.promise
    WHERE s.promisor = $team OR s.promisee = $team) p) p
"""
"""A team's name, members, communication rules (each setting, oldest first: its complaints' clocks take the one in
force when each complaint was made), authorities and the promises it made or received (each with the
authorities it requires) as of T: one statement, as DuckDB's cost of a read is mostly per statement. Each part
is a one-row table joined to the team's, which plans cheaper than a scalar subquery (no check for a second
row), and each promise carries only the fields the answer shows: less to plan and to convert to Python."""


def team_facts(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime) -> dict[str, Any] | None:
    """Everything of ``team show`` but the complaints and the success metric (which reads readings; its place is
    kept, None): what the facts up to ``as_of`` say, judged at no moment."""
    found = run(con, TEAM_CORE, {"as_of": as_of, "team": team}).fetchone()
    if found is None:
        return None
    name, members, rule_settings, authorities, promises = found
    rules = rule_settings[-1] if rule_settings else {"rules": None, "response_within": None, "resolution_within": None}
    promises = promises or []
    made = [p["promise"] for p in promises if p["promisor"] == team]
    gaps = authority_gaps(con, as_of, [p["promise"] for p in promises],
                          {p["promise"]: p["requires"] for p in promises})
    money = [{k: v for k, v in row.items() if k != "team"} for row in economics(con, as_of, team)]
    return {
        "team": team,
        "name": name,
        "members": [{**member, "lead": bool(member["lead"])} for member in members or []],
        "promises": [{**promise_summary(p), **gaps[p["promise"]]} for p in promises if p["promisor"] == team],
        "promises_received": [
            {**promise_summary(p), **gaps[p["promise"]]} for p in promises if p["promisee"] == team
        ],
        "made": made,
        "rule_settings": rule_settings or [],
        "economics": money,
        "self_funded_months": self_funded_months(money),
        "success_metric": None,
        "feedback_by_period": feedback_by_period(con, team, as_of, made),
        "communication_rules": json.loads(rules["rules"]) if rules["rules"] is not None else [],
        "complaint_response_within": rules["response_within"],
        "complaint_resolution_within": rules["resolution_within"],
        "authorities": authorities or [],
    }


def kept_at(con: duckdb.DuckDBPyConnection, as_of: datetime) -> Facts:
    """What a kept part is the same for: the facts as of ``as_of``, named (``fact_time``), read in the ``snapshot``
    the part is read in. The caller's own views position will not do: the catch-up commits pages between a
    reader's statements and moves the position only after, so facts read after a commit would be kept under a name
    that does not hold them, and answered as of moments the new facts are dated after. Nor is reading the name in a
    statement of its own enough: the part is read in later statements."""
    return facts_as_of(con, as_of)


def team_view(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime, *,
              limit: int | None = OPEN_COMPLAINTS_LIMIT, offset: int = 0,
              remember: Remember | None = None, clients: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    """``team show``: ``open_complaints`` holds the newest ``limit`` open complaints (None: all) after
    the ``offset`` newest; ``open_complaints_count`` is how many are open in all (``clients``: of those clients'
    complaints only, as ``complaint_pages`` reads them). With ``remember``, what the
    facts say is kept per team and the facts it was read from (``kept_at``), and only the open complaints' clocks
    are judged anew at ``as_of`` (a copy is answered: callers may change it)."""

    def pages(facts: dict[str, Any]) -> tuple[int, list[dict[str, Any]], int, list[dict[str, Any]]]:
        return complaint_pages(con, TEAM_COMPLAINTS, {"as_of": as_of, "team": team, "promises": facts["made"]},
                               limit, offset, team_rules=facts["rule_settings"], clients=clients)

    if remember is None:
        facts = team_facts(con, team, as_of)
        if facts is None:
            return None
        facts["success_metric"] = success_metric(con, team, as_of)
        open_count, open_rows, resolved_count, resolved = pages(facts)
    else:
        with snapshot(con):  # what is kept is read from the very facts it is kept under: see ``kept_at``
            seen = kept_at(con, as_of)
            kept_facts = remember(("team-facts", team, seen.besides_streams), lambda: team_facts(con, team, as_of))
            if kept_facts is None:
                return None
            open_count, kept, resolved_count, resolved = remember(
                ("team-complaints", team, seen.besides_streams, limit, offset, clients), lambda: pages(kept_facts))
            open_rows = judged_at(kept, clock_time(as_of))
            metric = remember(("team-success", team, seen.every), lambda: success_metric(con, team, as_of))
        facts = copy.deepcopy({key: value for key, value in kept_facts.items() if key not in INTERNAL})
        facts["success_metric"] = copy.deepcopy(metric)
    complaints = {
        "open_complaints": [open_complaint(row) for row in open_rows],
        "open_complaints_count": open_count,
        "resolved_complaints": [resolved_complaint(row) for row in resolved],
        "resolved_complaints_count": resolved_count,
    }
    head = {key: facts.pop(key) for key in ("team", "name", "members", "promises", "promises_received")}
    return {**head, **complaints, **{key: value for key, value in facts.items() if key not in INTERNAL}}
