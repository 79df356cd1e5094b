"""A team's success metric by month as of a business time (docs/brief.md §11, step 7).

The metric is the one set latest (``SetSuccessMetric``); ``since`` is when the team chose that metric (a later
setting of the same metric changes only its target). ``by_period`` runs from the calendar month of ``since``
to the latest month holding a reading: each month's value is the mean of the metric's readings in it (null
without readings), ``kept`` is judged against the target in force at the month's start (for the first month,
the target set at ``since``), by the metric's direction, and is null without a value or a target.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from projections.parsed_sql import run
from projections.timeline import iso, iso_date

MONTHLY_MEANS = """
SELECT date_trunc('month', business_at) AS period_start,
    -- scaled as compliance's means are: a sum of readings from an older store stays finite
    avg(value * pow(2.0, -64) ORDER BY position) * pow(2.0, 64) AS value
FROM readings WHERE metric = $metric AND business_at >= date_trunc('month', $since) AND business_at <= $as_of
GROUP BY period_start ORDER BY period_start
"""


def _months(first: datetime, last: datetime) -> list[datetime]:
    """Every month start from ``first``'s to ``last``'s."""
    months, index = [], first.year * 12 + first.month - 1
    while index <= last.year * 12 + last.month - 1:
        months.append(datetime(index // 12, index % 12 + 1, 1))
        index += 1
    return months


def _kept(value: float | None, target: float | None, direction: str) -> bool | None:
    if value is None or target is None:
        return None
    return value >= target if direction == "higher_is_better" else value <= target


def success_metric(con: duckdb.DuckDBPyConnection, team: str, as_of: datetime) -> dict[str, Any] | None:
    """``{metric, target, since, by_period: [{period_start, value, target, kept}]}`` (each month's ``target``: the
    one in force at its start); None when none was set as of T."""
    settings = run(
        con, "SELECT business_at, metric, target FROM success_metrics WHERE team = ? AND business_at <= ?"
        " ORDER BY business_at, position", [team, as_of]).fetchall()
    if not settings:
        return None
    metric = settings[-1][1]
    start = len(settings) - 1
    while start > 0 and settings[start - 1][1] == metric:  # the settings naming this metric since it was chosen
        start -= 1
    chosen = settings[start:]
    since = chosen[0][0]
    found = run(con, "SELECT direction FROM metrics WHERE metric = ? AND business_at <= ? LIMIT 1",
                        [metric, as_of]).fetchone()
    direction = found[0] if found else "higher_is_better"
    means = dict(run(con, MONTHLY_MEANS, {"metric": metric, "since": since, "as_of": as_of}).fetchall())
    by_period = []
    if means:
        for start_of_month in _months(since, max(means)):
            in_force = max(start_of_month, since)
            target = [t for at, _, t in chosen if at <= in_force][-1]
            value = means.get(start_of_month)
            by_period.append({"period_start": iso_date(start_of_month), "value": value, "target": target,
                              "kept": _kept(value, target, direction)})
    return {"metric": metric, "target": chosen[-1][2], "since": iso(since), "by_period": by_period}
