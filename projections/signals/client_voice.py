"""``client_voice_shift`` (docs/brief.md §9): a team's or a client's clients complaining more, or rating lower.

Each team's and each client's feedback is cut into calendar weeks (Monday 00:00 UTC, by business time) in one
statement for the whole company; a week counts once it is over at the as-of time. Two series per subject: the
week's complaints (every week from the subject's first feedback on, 0 when none) and the week's mean rating
(the weeks with a rating). ``spc.episodes`` judges each, the worsening side only (more complaints, lower
ratings), by XmR limits from all earlier weeks not already signalled (at least 8) and the four Western Electric
rules; a rise in complaints needs at least 3 in the week. An episode is raised at the end of the week that
tripped a rule and cleared at the end of the first later week back at or past the centre line it was judged
by. A team's feedback is what names it, or names a promise it made; a client's signal is seen by its
representatives and the teams its feedback that week was for.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import duckdb

from projections.experiment_stats.spc import Episode, episodes
from projections.signals.model import Signal
from projections.timeline import FOREVER, iso_date

KIND = "client_voice_shift"
WEEK = timedelta(days=7)

MIN_COMPLAINTS = 3
"""A week starts a rise in complaints only with at least this many (see ``spc.episodes``' ``floor``)."""
MIN_BASELINE = 8

WEEKLY_FEEDBACK = f"""
WITH f AS (
    SELECT coalesce(f.team, p.promisor) AS team, f.client, date_trunc('week', f.business_at) AS week,
        f.kind = 'complaint' AS complaint, f.rating
    FROM feedback f LEFT JOIN promise_state_as_of($as_of) p ON p.promise = f.promise
    WHERE f.business_at < $until
), weekly AS (
    SELECT 'team' AS subject, team AS key, week, count(*) FILTER (complaint) AS complaints, avg(rating) AS rating
    FROM f WHERE team IS NOT NULL GROUP BY team, week
    UNION ALL
    SELECT 'client', client, week, count(*) FILTER (complaint), avg(rating)
    FROM f WHERE client IS NOT NULL GROUP BY client, week
)
SELECT * FROM (
    SELECT subject, key, week, complaints, rating, max(complaints) OVER subjects >= {MIN_COMPLAINTS} AS counted,
        count(rating) OVER subjects > {MIN_BASELINE} AS rated
    FROM weekly WINDOW subjects AS (PARTITION BY subject, key)
) WHERE counted OR rated
ORDER BY subject, key, week
"""
"""Per subject and complete week: complaints and mean rating, and whether each series could start an episode at
all (``counted``: a week of enough complaints; ``rated``: more rated weeks than a baseline); only subjects with
one that could."""

CLIENT_WEEK_TEAMS = """
SELECT w.client, w.week, list(DISTINCT coalesce(f.team, p.promisor) ORDER BY coalesce(f.team, p.promisor))
    FILTER (coalesce(f.team, p.promisor) IS NOT NULL)
FROM (SELECT unnest($clients) AS client, unnest($weeks) AS week) w
JOIN feedback f ON f.client = w.client AND f.business_at >= w.week AND f.business_at < w.week + INTERVAL 7 DAY
LEFT JOIN promise_state_as_of($as_of) p ON p.promise = f.promise
GROUP BY w.client, w.week
"""
"""The teams a client's feedback in given weeks was for: who sees the client's signal (asked for those alone)."""

Week = tuple[datetime, int, float | None]
Found = tuple[str, str, str, datetime, Episode, datetime | None]
"""subject type, key, series, the week that started the episode, the episode, the week that ended it"""


def week_start(at: datetime) -> datetime:
    day = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def client_voice_shifts(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Signal]:
    """Every episode raised by the end of the last week complete at ``as_of``."""
    now = datetime.now(UTC).replace(tzinfo=None) if as_of >= FOREVER else as_of
    until = week_start(now)
    series: dict[tuple[str, str, bool, bool], list[Week]] = defaultdict(list)
    for subject, key, week, complaints, rating, counted, rated in con.execute(
            WEEKLY_FEEDBACK, {"as_of": as_of, "until": until}).fetchall():
        series[(subject, key, counted, rated)].append((week, int(complaints), rating))
    found = [f for (subject, key, counted, rated), weeks in series.items()
             for f in _episodes(subject, key, weeks, until, counted=counted, rated=rated)]
    asked = sorted({(key, week) for subject, key, _, week, _, _ in found if subject == "client"})
    teams: dict[tuple[str, datetime], list[str]] = {}
    if asked:
        rows = con.execute(CLIENT_WEEK_TEAMS, {"clients": [c for c, _ in asked], "weeks": [w for _, w in asked],
                                               "as_of": as_of}).fetchall()
        teams = {(client, week): names or [] for client, week, names in rows}
    return [_signal(f, teams.get((f[1], f[3]), [])) for f in found]


def _episodes(subject: str, key: str, weeks: list[Week], until: datetime, *, counted: bool,
              rated: bool) -> Iterator[Found]:
    judged: list[tuple[str, list[datetime], list[float], int, float]] = []
    if counted:
        by_week = {w[0]: w[1] for w in weeks}
        every_week = [weeks[0][0] + i * WEEK for i in range((until - weeks[0][0]) // WEEK)]
        judged.append(("count", every_week, [float(by_week.get(w, 0)) for w in every_week], +1, MIN_COMPLAINTS))
    if rated:
        ratings = [(w[0], w[2]) for w in weeks if w[2] is not None]
        judged.append(("rating", [w for w, _ in ratings], [float(r) for _, r in ratings], -1, -math.inf))
    for name, starts, values, side, floor in judged:
        for episode in episodes(values, side, min_baseline=MIN_BASELINE, floor=floor):
            yield (subject, key, name, starts[episode.start], episode,
                   None if episode.end is None else starts[episode.end])


def _signal(found: Found, teams: list[str]) -> Signal:
    subject, key, series, week, episode, back = found
    because: dict[str, Any] = {
        "series": series, "week": iso_date(week),
        "value": int(episode.value) if series == "count" else round(episode.value, 4),
        "limits": {name: round(episode.limits[name], 4) for name in ("center", "lnpl", "unpl")},
        "rule": episode.rule,
    }
    return Signal(
        KIND, subject, key, f"{series}:{iso_date(week)}", key if subject == "team" else None,
        key if subject == "client" else None, week + WEEK, because, f"/{subject}s/{quote(key, safe='')}",
        None if back is None else back + WEEK, frozenset(teams),
    )
