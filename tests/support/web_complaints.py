"""Complaint clocks for the web company's e2e tests (docs/brief.md §9): the delivery team's durations (answer
within 2 hours, resolve within a day) and complaints of households to delivery dated some hours ago."""

from __future__ import annotations

from typing import Any

from tests.support.clock import ago

RULES: dict[str, Any] = {
    "type": "SetCommunicationRules", "id": "complaint-rules", "at": "2026-03-05T00:00:00Z", "team": "delivery",
    "rules": ["Complaints are answered within 2 hours"], "complaint_response_within": "PT2H",
    "complaint_resolution_within": "P1D"}


def complaint(feedback_id: str, hours: float, **fields: Any) -> dict[str, Any]:
    """A complaint of households to delivery that occurred (and was recorded) ``hours`` ago; ``fields`` override."""
    occurred = ago(hours=hours)
    return {"type": "RecordFeedback", "id": f"line-{feedback_id}", "at": occurred, "feedback_id": feedback_id,
            "client": "households", "kind": "complaint", "channel": "app", "text": f"Complaint {feedback_id}",
            "team": "delivery", "occurred_at": occurred, **fields}
