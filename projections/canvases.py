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
SELECT canvas, client, team, factors FROM canvases
WHERE business_at <= $as_of AND ($client::VARCHAR IS NULL OR client = $client)
  AND ($team::VARCHAR IS NULL OR team = $team)
ORDER BY position
"""
_SCORES = """
WITH scored AS (SELECT * FROM canvas_scores WHERE business_at <= $as_of AND canvas IN (SELECT unnest($keys))),
offerings AS (SELECT canvas, offering, bool_or(ours) AS ours, min(position) AS first FROM scored GROUP BY ALL),
latest AS (SELECT canvas, offering, factor, arg_max(score, position) AS score FROM scored GROUP BY ALL)
SELECT canvas, offering, o.ours, l.factor, l.score FROM latest l JOIN offerings o USING (canvas, offering)
ORDER BY o.first
"""
_UNIQUE = """
SELECT canvas, arg_max(factor, position) FROM canvas_unique_factors
WHERE business_at <= $as_of AND canvas IN (SELECT unnest($keys)) GROUP BY canvas
"""


def canvases(con: duckdb.DuckDBPyConnection, as_of: datetime | None, *, client: str | None = None,
             team: str | None = None) -> list[dict[str, Any]]:
    """``[{canvas, client, team, factors, offerings: [{offering, ours, scores}], unique_factor}]`` in the order
    drawn, offerings in the order first scored, scores in the canvas's factor order."""
    at = as_of_value(as_of)
    drawn = con.execute(_CANVASES, {"as_of": at, "client": client, "team": team}).fetchall()
    found: dict[str, dict[str, Any]] = {
        key: {"canvas": key, "client": c, "team": t, "factors": json.loads(f), "offerings": [], "unique_factor": None}
        for key, c, t, f in drawn
    }
    keys = list(found)
    offerings: dict[tuple[str, str], dict[str, Any]] = {}
    for canvas, offering, ours, factor, score in con.execute(_SCORES, {"as_of": at, "keys": keys}).fetchall():
        if (canvas, offering) not in offerings:
            offerings[canvas, offering] = {"offering": offering, "ours": bool(ours), "scores": {}}
            found[canvas]["offerings"].append(offerings[canvas, offering])
        offerings[canvas, offering]["scores"][factor] = score
    for c in found.values():  # each offering's scores in the canvas's factor order
        for o in c["offerings"]:
            o["scores"] = {f: o["scores"][f] for f in c["factors"] if f in o["scores"]}
    for canvas, factor in con.execute(_UNIQUE, {"as_of": at, "keys": keys}).fetchall():
        found[canvas]["unique_factor"] = factor
    return list(found.values())
