"""Rows of experiments, their observations and arm summaries, error reviews, process changes and adoptions."""

from __future__ import annotations

from projections.event_rows.base import EventRows
from projections.stored_form import State, json_text


class ExperimentRows(EventRows):
    def _experiment(self, pos: int, s: State, _: int) -> None:
        self.rows["experiments"].append(
            (pos, s["_at"], s["key"], s["team"], s["hypothesis"], s["metric"], s["design"], s["promise"],
             json_text(s.get("plan") or {})))

    def _experiment_event(self, pos: int, s: State, _: int) -> None:
        self.rows["experiment_events"].append(
            (pos, s["_at"], s["_key"], s["_event"], s.get("decision"), s.get("learning")))

    def _observation(self, pos: int, s: State, _: int) -> None:
        self.rows["observations"].append(
            (pos, s["_at"], s["_key"], s["arm"], s["value"], s.get("metric"), s.get("covariate")))

    def _observation_aggregate(self, pos: int, s: State, _: int) -> None:
        self.rows["observations"].append(
            (pos, s["_at"], s["experiment"], s["arm"], s["value"], s["metric"], s["covariate"]))

    def _arm_summary(self, pos: int, s: State, _: int) -> None:
        m = s["summary"]
        self.rows["arm_summaries"].append((
            pos, s["_at"], s["_key"], s["arm"], s["metric"], m["n"], m["sum"], m["sum_squares"],
            m.get("covariate_sum"), m.get("covariate_sum_squares"), m.get("cross_sum"),
        ))

    def _review(self, pos: int, s: State, _: int) -> None:
        self.rows["error_reviews"].append((
            pos, s["_at"], s["key"], s["team"], s["what_happened"], s["cause"], s["lesson"], s["promise"]))

    def _process_change(self, pos: int, s: State, _: int) -> None:
        self.rows["process_changes"].append(
            (pos, s["_at"], s["key"], s["team"], s["description"], s["experiment"], s["review"]))

    def _adoption(self, pos: int, s: State, _: int) -> None:
        self.rows["adoptions"].append((pos, s["_at"], s["experiment"], s["team"], s["metric"]))
