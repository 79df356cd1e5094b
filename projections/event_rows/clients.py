"""Rows of clients and people (steps 1-4, docs/brief.md §5) and of forgotten data subjects."""

from __future__ import annotations

from projections.event_rows.base import EventRows
from projections.stored_form import State, json_text


class ClientRows(EventRows):
    def _client(self, pos: int, s: State, _: int) -> None:
        self.rows["clients"].append(
            (pos, s["_at"], s["key"], s["name"], s["kind"], s["description"]))

    def _person(self, pos: int, s: State, _: int) -> None:
        self.rows["people"].append((pos, s["_at"], s["key"], s["name"], s.get("email")))

    def _council(self, pos: int, s: State, _: int) -> None:
        change = "appointed" if s["_event"] == "AppointedToCouncil" else "dismissed"
        self.rows["council_changes"].append((pos, s["_at"], s["_key"], change))

    def _representative(self, pos: int, s: State, _: int) -> None:
        self.rows["client_representatives"].append((pos, s["_at"], s["_key"], s["person"]))

    def _pain(self, pos: int, s: State, _: int) -> None:
        self.rows["pains"].append(
            (pos, s["_at"], s["_key"], s["pain"], s["description"], s["severity"]))

    def _proposition(self, pos: int, s: State, _: int) -> None:
        self.rows["value_propositions"].append((
            pos, s["_at"], s["_key"], s["proposition"], s["team"], s["statement"],
            json_text(s["characteristics"]), json_text(s["pains"]),
        ))

    def _canvas(self, pos: int, s: State, _: int) -> None:
        self.rows["canvases"].append((pos, s["_at"], s["key"], s["client"], s["team"], json_text(s["factors"])))

    def _score(self, pos: int, s: State, _: int) -> None:
        canvas = s["_key"]
        for factor, score in s["scores"].items():
            self.rows["canvas_scores"].append((pos, s["_at"], canvas, s["offering"], s["ours"], factor, score))

    def _unique_factor(self, pos: int, s: State, _: int) -> None:
        self.rows["canvas_unique_factors"].append((pos, s["_at"], s["_key"], s["factor"]))

    def _forgotten(self, pos: int, s: State, _: int) -> None:
        self.rows["forgotten_subjects"].append(
            (pos, s["_at"], s["subject"], s["subject_kind"], s["subject_key"], s["key_id"], s["reason"]))
