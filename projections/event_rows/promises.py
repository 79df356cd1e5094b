"""Rows of promises: each event's full terms after it (``promise_history``), kept across pages in ``promises``."""

from __future__ import annotations

import json

from projections.event_rows.base import EventRows
from projections.stored_form import State, json_text, utc_text


class PromiseRows(EventRows):
    promises: dict[str, State]
    """Promise aggregate id -> its terms after its latest event (those of earlier pages loaded first)."""
    PROMISE_TERMS = ("promisor", "promisee", "statement", "metric", "target", "period", "parent", "objective")

    def _promise(self, pos: int, s: State, version: int) -> None:
        oid = s["_oid"]
        event = s["_event"]
        if event == "Proposed":
            terms: State = {name: s.get(name) for name in self.PROMISE_TERMS}  # (no objective before §9)
            terms["key"] = s["key"]
            terms["status"] = "proposed"
            changes = {name: terms[name] for name in self.PROMISE_TERMS if terms[name] is not None}
            for authority in s.get("requires") or ():
                self.rows["promise_requirements"].append((pos, s["_at"], s["key"], authority))
        else:
            terms = dict(self.promises[oid])
            changes = s.get("changes") or {}
            if event != "AmendmentProposed":  # proposed terms change nothing until accepted
                terms.update(changes)
            if event == "Agreed":
                terms["status"] = "agreed"
            elif event == "Retired":
                terms["status"] = "retired"
        terms["consented"] = json_text(self._consented(event, s, terms.get("consented")))
        self.promises[oid] = terms
        audit = s["_audit"]
        self.rows["promise_history"].append((
            pos, s["_at"], terms["key"], version, event, utc_text(s["timestamp"]), audit["actor"],
            audit["reason"], audit["correlation"], json_text(changes), terms["status"], terms["promisor"],
            terms["promisee"], terms["statement"], terms["metric"], terms["target"], terms["period"],
            terms["parent"], terms["consented"], terms["objective"],
        ))

    @staticmethod
    def _consented(event: str, s: State, before: str | None) -> list[str]:
        """The sides that consented to the terms on the table after ``event`` (docs/brief.md §10): a proposal
        brings its side's consent when it is recorded (``consented``; before that field, a proposal was its
        side's consent); ``Consented`` adds one side; terms in force, declined or retired leave nothing on the
        table."""
        if event in ("Proposed", "CounterProposed", "AmendmentProposed"):
            if "consented" in s:
                return sorted(s["consented"])
            side = "promisor" if event == "Proposed" else s.get("side")
            return [side] if side else []
        if event == "Consented":
            return sorted({*json.loads(before or "[]"), s["side"]})
        return []
