"""Team economics per month: revenue, costs, net profit and the bonus pool under the reward scheme.

The scheme in force at a period's end is the team's latest scheme chosen before the next
month begins (the house default, 20% of team net profit, when none was chosen). Every row
carries the scheme version and the inputs it used, so a pool can be replayed and audited.
Unrecovered losses: a loss adds to the team's balance, later profit recovers it; under a
scheme with ``carry_forward_losses`` the recovered amount is deducted before the pool is taken.
Each row also carries its growth and whether the month paid for itself (``projections.growth``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import duckdb

from domain.reward_scheme import DEFAULT_REWARD_SCHEME
from projections.growth import add_growth
from projections.parsed_sql import run
from projections.timeline import FOREVER


def _period_end(period: str) -> datetime:
    """The first instant after the month ``YYYY-MM`` (a month beyond the calendar, which only a store
    written before periods were bounded can hold, clamps to its ends instead of failing every answer)."""
    year, month = (int(part) for part in period.split("-"))
    try:
        return datetime(year + month // 12, month % 12 + 1, 1)
    except ValueError:
        return datetime.max if year >= 1 else datetime.min


def _split(pool: float, scheme: dict[str, Any], members: list[str]) -> list[dict[str, Any]]:
    """Each member's base pay plus their part of the pool, by the scheme's split key."""
    base = scheme["base_pay"]
    people = sorted(set(members) | set(base) | set(scheme["hours"]))
    if scheme["split"] == "equal":
        weights = dict.fromkeys(members, 1.0)
    elif scheme["split"] == "hours":
        weights = dict(scheme["hours"])
    else:
        weights = dict(base)
    total = sum(weights.values())
    return [
        {
            "person": person,
            "base_pay": base.get(person, 0.0),
            "bonus": pool * weights.get(person, 0.0) / total if total else 0.0,
        }
        for person in people
    ]


def _sums(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[tuple[str, str, float, float]]:
    """(team, period, revenue, costs) by team and month, each sum in the entries' order (so a rebuild adds the
    same floats in the same order). Summed per kind and paired here: one ordered sum plans less than two
    filtered ones, and every as-of answer plans it anew."""
    sums: dict[tuple[str, str], dict[str, float]] = {}
    for team, period, kind, amount in run(
        con, "SELECT team, period, kind, coalesce(sum(amount ORDER BY position), 0) FROM ledger_entries"
        " WHERE business_at <= ?"
        " GROUP BY team, period, kind ORDER BY team, period", [as_of],
    ).fetchall():
        sums.setdefault((team, period), {})[kind] = amount
    return [(team, period, amounts.get("revenue", 0.0), amounts.get("cost", 0.0))
            for (team, period), amounts in sums.items()]


def economics(con: duckdb.DuckDBPyConnection, as_of: datetime, team: str | None = None) -> list[dict[str, Any]]:
    """Rows per team and month from the facts with business time <= ``as_of``."""
    sums = _sums(con, as_of)
    company: dict[str, float] = defaultdict(float)
    for _, period, revenue, costs in sums:
        company[period] += revenue - costs
    cursor = run(con,  # each team's schemes in order, numbered here: a window costs a statement's planning
        "SELECT team, business_at, variant, share, carry_forward_losses, team_weight, split, base_pay, hours, cadence"
        " FROM reward_schemes WHERE business_at <= ? ORDER BY team, position",
        [as_of],
    )
    names = [d[0] for d in cursor.description]
    schemes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for values in cursor.fetchall():
        scheme = dict(zip(names, values, strict=True))
        scheme["version"] = len(schemes[scheme["team"]]) + 1
        scheme["base_pay"] = json.loads(scheme["base_pay"])
        scheme["hours"] = json.loads(scheme["hours"])
        schemes[scheme["team"]].append(scheme)

    rows: list[dict[str, Any]] = []
    unrecovered: dict[str, float] = defaultdict(float)
    for team_key, period, revenue, costs in sums:
        if team is not None and team_key != team:
            continue
        end = _period_end(period)
        in_force = [s for s in schemes[team_key] if s["business_at"] < end and s["business_at"] <= as_of]
        scheme = in_force[-1] if in_force else {**DEFAULT_REWARD_SCHEME, "version": 0}
        net = revenue - costs
        recovered = 0.0
        if net < 0:
            unrecovered[team_key] += -net
        else:
            recovered = min(unrecovered[team_key], net)
            unrecovered[team_key] -= recovered
        deducted = recovered if scheme["carry_forward_losses"] else 0.0
        variant = scheme["variant"]
        if variant == "fixed_pay":
            pool = 0.0
        elif variant == "company_profit_share":
            pool = scheme["share"] * max(0.0, company[period]) * scheme["team_weight"]
        else:
            pool = scheme["share"] * max(0.0, net - deducted)
        row: dict[str, Any] = {
            "team": team_key,
            "period": period,
            "revenue": revenue,
            "costs": costs,
            "net_profit": net,
            "bonus_pool": pool,
            "scheme_variant": variant,
            "scheme_version": scheme["version"],
            "share": scheme["share"],
            "losses_deducted": deducted,
            "unrecovered_losses": unrecovered[team_key],
            "company_net_profit": company[period],
        }
        if variant == "base_plus_team_bonus":  # the members at the month's end, or as of now within the month
            members = [person for (person,) in run(
                con, "SELECT person FROM team_members_as_of(?) WHERE team = ? ORDER BY person",
                [min(end - timedelta(microseconds=1), as_of), team_key],
            ).fetchall()]
            row["payouts"] = _split(pool, scheme, members)
        rows.append(row)
    add_growth(rows)
    return rows


def materialise(con: duckdb.DuckDBPyConnection) -> None:
    import pyarrow as pa

    from projections.arrow_columns import column

    rows = economics(con, FOREVER)
    columns = ["team", "period", "revenue", "costs", "net_profit", "bonus_pool", "scheme_variant", "scheme_version",
               "share", "losses_deducted", "unrecovered_losses", "company_net_profit", "revenue_growth",
               "net_profit_growth", "revenue_growth_yoy", "self_funded"]
    types = [pa.string(), pa.string()] + [pa.float64()] * 4 + [pa.string(), pa.int64()] + [pa.float64()] * 7 + [
        pa.bool_()]
    table = pa.table({c: column([r[c] for r in rows], t) for c, t in zip(columns, types, strict=True)})
    con.register("economics_rows", table)
    con.execute("CREATE OR REPLACE TABLE team_economics AS SELECT * FROM economics_rows")
    con.unregister("economics_rows")
