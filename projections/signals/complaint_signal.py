"""What the two complaint signals share: the subject, who sees it and where one acts (docs/brief.md §9)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from projections.signals.model import Signal


def complaint_signal(kind: str, row: Mapping[str, Any], episode: str, raised: datetime, until: datetime | None,
                     as_of: datetime, because: Mapping[str, Any]) -> Signal:
    """A signal about complaint ``row`` (from ``complaint_clock.company_clocks``): keyed by its feedback_id, for
    its team and its client, linking to the team's complaints; ``because`` holds keys and numbers, never text."""
    team = row["owner_team"]
    return Signal(
        kind=kind, subject_type="complaint", subject_key=row["feedback_id"], episode=episode, team=team,
        client=row["client"], raised_at=raised, cleared_at=until if until is not None and until <= as_of else None,
        because={"feedback_id": row["feedback_id"], **because},
        path=f"/teams/{quote(team, safe='')}#complaints",
    )
