"""One signal: an episode of a condition about a subject (docs/brief.md §9), with a stable id."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from projections.timeline import iso

Severity = Literal["info", "warning", "critical"]

CRITICAL = frozenset({"complaint_overdue", "promise_missed", "promise_budget_exhausted", "experiment_guardrail_harmed"})
INFO = frozenset({"experiment_ready"})


KIND_WORDS = {
    "promise_at_risk": "Promise at risk this period",
    "promise_missed": "Promise missed",
    "promise_budget_exhausted": "Promise's budget of misses exhausted",
    "complaint_due_soon": "Complaint due soon",
    "complaint_overdue": "Complaint overdue",
    "negotiation_waiting": "Proposal waiting for an answer",
    "experiment_srm": "Experiment's split does not match its plan",
    "experiment_guardrail_harmed": "Experiment harms a guardrail",
    "experiment_ready": "Experiment ready to decide",
    "client_voice_shift": "Client voice shifted",
}
"""Each kind of docs/brief.md §9 in words, for the pages and the CLI's table."""


def kind_in_words(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


def severity_of(kind: str) -> Severity:
    """docs/brief.md §9: four kinds are critical, ``experiment_ready`` is info, the rest warnings."""
    return "critical" if kind in CRITICAL else "info" if kind in INFO else "warning"


def signal_id(kind: str, subject_type: str, subject_key: str, episode: str) -> str:
    """The same episode (kind, subject, period) always has the same id, on every store and every rebuild. Where
    the period is when the condition first held (the experiment kinds' day, ``client_voice_shift``'s week,
    ``promise_budget_exhausted``'s period), backdated data can move it, and the episode gets a new id: delivered
    again under it (README, "Known limit: backdated data can move an episode's period")."""
    digest = hashlib.sha256("\x1f".join((kind, subject_type, subject_key, episode)).encode()).hexdigest()
    return f"sig_{digest[:24]}"


@dataclass(frozen=True)
class Signal:
    """An episode of ``kind`` about ``subject_type``/``subject_key``; ``episode`` tells episodes of one subject
    apart (a period start, a week; "" when a subject has one). ``because`` holds keys and numbers only, never
    personal text. ``path`` is the page that lets one act (``url`` is it under the public URL).
    ``teams`` are the teams who see it besides ``team`` (e.g. a promisee team)."""

    kind: str
    subject_type: str
    subject_key: str
    episode: str
    team: str | None
    client: str | None
    raised_at: datetime
    because: Mapping[str, Any]
    path: str
    cleared_at: datetime | None = None
    teams: frozenset[str] = field(default_factory=frozenset)

    @cached_property
    def id(self) -> str:
        return signal_id(self.kind, self.subject_type, self.subject_key, self.episode)

    @property
    def severity(self) -> Severity:
        return severity_of(self.kind)

    @cached_property
    def audience_teams(self) -> frozenset[str]:
        return self.teams | ({self.team} if self.team else frozenset())

    def active_at(self, as_of: datetime) -> bool:
        return self.raised_at <= as_of and (self.cleared_at is None or self.cleared_at > as_of)

    def as_json(self, public_url: str = "") -> dict[str, Any]:
        """The contract's shape (docs/brief.md §9); ``cleared_at`` only on cleared ones."""
        answer: dict[str, Any] = {
            "id": self.id, "kind": self.kind, "severity": self.severity,
            "subject": {"type": self.subject_type, "key": self.subject_key},
            "team": self.team, "client": self.client, "raised_at": iso(self.raised_at),
            "because": dict(self.because), "url": public_url.rstrip("/") + self.path,
        }
        if self.cleared_at is not None:
            answer["cleared_at"] = iso(self.cleared_at)
        return answer
