"""Rows of client feedback (recorded, resolved, answered, assigned) and of the ledger's entries (step 7)."""

from __future__ import annotations

from projections.event_rows.base import EventRows
from projections.stored_form import State, utc_text


class FeedbackRows(EventRows):
    def _feedback(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback"].append((
            pos, s["_at"], s["key"], s["client"], s["kind"], s["channel"], s["text"], s["rating"],
            s["team"], s["promise"], utc_text(s["occurred_at"]), s["_audit"]["correlation"],
        ))

    def _resolution(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback_resolutions"].append(
            (pos, s["_at"], s["_key"], s["resolution"], s["_audit"]["actor"]))

    def _response(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback_responses"].append((pos, s["_at"], s["_key"], s["response"], s["_audit"]["actor"]))

    def _assignment(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback_assignments"].append((pos, s["_at"], s["_key"], s["team"], s["_audit"]["actor"]))

    def _ledger_entry(self, pos: int, s: State, _: int) -> None:
        self.rows["ledger_entries"].append(
            (pos, s["_at"], s["key"], s["team"], s["period"], s["kind"], s["amount"], s["description"]))
