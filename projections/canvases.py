"""Step 4's strategy canvases as of a time, in the shape of docs/brief.md §8 (``client show``'s ``canvases``).

One query for every reader (the client page, the retrospective's report): a later score of an offering on a
factor replaces the earlier one, an offering once scored as ours stays ours (as ``StrategyCanvas`` keeps it), and
the latest unique factor chosen stands.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb

from projections.timeline import as_of_value

_CANVASES = """
SELECT canvas, client, team, factors, count(*) OVER () FROM canvases
WHERE business_at <= $as_of AND ($client::VARCHAR IS NULL OR client = $client)
  AND ($team::VARCHAR IS NULL OR team = $team)
ORDER BY CASE WHEN $newest THEN -position ELSE position END LIMIT $limit
"""
_SCORES = """
WITH scored AS (SELECT * FROM canvas_scores WHERE business_at <= $as_of AND canvas IN (SELECT unnest($keys))),
offerings AS (SELECT canvas, offering, bool_or(ours) AS ours, min(position) AS first FROM scored GROUP BY ALL),
ranked AS (SELECT *, row_number() OVER (PARTITION BY canvas ORDER BY first) AS n,
    count(*) OVER (PARTITION BY canvas) AS total FROM offerings),
latest AS (SELECT canvas, offering, factor, arg_max(score, position) AS score FROM scored GROUP BY ALL)
SELECT canvas, offering, o.ours, l.factor, l.score, o.total FROM latest l JOIN ranked o USING (canvas, offering)
WHERE $offerings::BIGINT IS NULL OR o.n <= $offerings ORDER BY o.first
"""
_UNIQUE = """
SELECT canvas, arg_max(factor, position) FROM canvas_unique_factors
WHERE business_at <= $as_of AND canvas IN (SELECT unnest($keys)) GROUP BY canvas
"""


def canvases(con: duckdb.DuckDBPyConnection, as_of: datetime | None, *, client: str | None = None,
             team: str | None = None) -> list[dict[str, Any]]:
    """``[{canvas, client, team, factors, offerings: [{offering, ours, scores}], offerings_count, unique_factor}]``
    in the order drawn, offerings in the order first scored, scores in the canvas's factor order."""
    return canvases_shown(con, as_of, client=client, team=team)[1]


def canvases_shown(con: duckdb.DuckDBPyConnection, as_of: datetime | None, *, client: str | None = None,
                   team: str | None = None, limit: int | None = None,
                   offerings: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """How many canvases there are, and the ``limit`` newest (None: all, in the order drawn), each with its first
    ``offerings`` offerings (None: all) and their true count (``offerings_count``): an answer bounded however many
    others draw and score (docs/brief.md §10 "Cost bounds")."""
    at = as_of_value(as_of)
    drawn = con.execute(_CANVASES, {"as_of": at, "client": client, "team": team, "limit": limit,
                                    "newest": limit is not None}).fetchall()
    found: dict[str, dict[str, Any]] = {
        key: {"canvas": key, "client": c, "team": t, "factors": json.loads(f), "offerings": [], "offerings_count": 0,
              "unique_factor": None}
        for key, c, t, f, _ in drawn
    }
    keys = list(found)
    shown: dict[tuple[str, str], dict[str, Any]] = {}
    for canvas, offering, ours, factor, score, total in con.execute(
            _SCORES, {"as_of": at, "keys": keys, "offerings": offerings}).fetchall():
        if (canvas, offering) not in shown:
            shown[canvas, offering] = {"offering": offering, "ours": bool(ours), "scores": {}}
            found[canvas]["offerings"].append(shown[canvas, offering])
            found[canvas]["offerings_count"] = int(total)
        shown[canvas, offering]["scores"][factor] = score
    for c in found.values():  # each offering's scores in the canvas's factor order
        for o in c["offerings"]:
            o["scores"] = {f: o["scores"][f] for f in c["factors"] if f in o["scores"]}
    for canvas, factor in con.execute(_UNIQUE, {"as_of": at, "keys": keys}).fetchall():
        found[canvas]["unique_factor"] = factor
    return (int(drawn[0][-1]) if drawn else 0), list(found.values())
