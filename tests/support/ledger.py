"""Commands through a ledger as the tests write them (dicts, as JSON Lines hold them), and the checks
every handler test makes: all accepted, or one rejected with its reason and nothing written."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from domain.commands import parse_command
from domain.service.batch import BatchResult
from domain.service.ledger import Ledger

Line = dict[str, Any]
AT = "2026-01-05T09:00:00Z"
"""When a test's preamble happens; ``LATER``: when the command under test does (a day on)."""
LATER = "2026-01-06T09:00:00Z"


def later(type_: str, **fields: Any) -> Line:
    """A command line of the test's step, dated ``LATER``."""
    return {"type": type_, "at": LATER, **fields}


def execute(ledger: Ledger, lines: Iterable[Line]) -> BatchResult:
    """One batch, each line parsed as import parses it."""
    return ledger.execute([parse_command(json.dumps(line)) for line in lines])


def accept(ledger: Ledger, *lines: Line) -> BatchResult:
    """One batch whose every command must be accepted."""
    result = execute(ledger, lines)
    assert result.rejected == [] and result.forbidden == [], result
    assert result.accepted == list(range(len(lines))), result
    return result


def stored_events(ledger: Ledger) -> int:
    return ledger.store.max_notification_id() or 0


def reject(ledger: Ledger, line: Line, *fragments: str) -> str:
    """One command alone: it must be rejected with a reason holding every fragment, and write nothing."""
    before = stored_events(ledger)
    result = execute(ledger, [line])
    assert (result.accepted, result.events, [i for i, _ in result.rejected]) == ([], 0, [0]), result
    reason = result.rejected[0][1]
    for fragment in fragments:
        assert fragment in reason, f"{fragment!r} not in {reason!r}"
    assert stored_events(ledger) == before
    return reason


def observations(ledger: Ledger, experiment: str) -> list[tuple[str, float, str | None, float | None]]:
    """(arm, value, metric, covariate) of each observation recorded for ``experiment``, in store order."""
    from domain.observation import Observation
    from domain.topics import event_topic

    topic = event_topic(Observation, "Recorded")
    found = ledger.store.select_notifications(1, 1_000_000, topics=[topic])
    events = [ledger.mapper.to_domain_event(n) for n in found]
    return [(e.arm, e.value, e.metric, e.covariate) for e in events if e.experiment == experiment]


def record_legacy_observations(ledger: Ledger, experiment: str, values: Iterable[tuple[str, float, str]]) -> None:
    """(arm, value, ISO time) as stores hold them from before observations were aggregates of their own:
    events of the experiment (``Experiment.ObservationRecorded``), written as that code wrote them."""
    from datetime import datetime

    from domain.audit import Audit
    from domain.base import key_id
    from domain.experiment import Experiment

    aggregate = ledger.repository.get(key_id(Experiment.KIND, experiment))
    for arm, value, at in values:
        aggregate.record_observation(arm, value, audit=Audit(at=datetime.fromisoformat(at)), metric=aggregate.metric)
    ledger.record(aggregate.collect_events(), tracking=None, receipts=[])
