"""The experiment aggregate under §6: arms from the plan, events stored before the plan still load, and stored
events replay without being judged again."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from domain.audit import Audit
from domain.experiment import Experiment
from domain.service.ledger import Ledger
from projections.projector import Projector

LEDGER = Ledger()
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _old_form(stored: object, *dropped: str) -> object:
    """The stored event as the version before §6 wrote it: without the fields added since."""
    state = json.loads(stored.state)  # type: ignore[attr-defined]
    for name in dropped:
        state.pop(name, None)
    return replace(stored, state=json.dumps(state).encode())  # type: ignore[type-var]


def test_events_stored_before_the_plan_load_with_the_defaults() -> None:
    experiment = Experiment(key="e", team="t", hypothesis="h", metric="m", design="ab", promise=None,
                            audit=Audit(at=AT), plan={"arms": ["a", "b"]})
    experiment.start(audit=Audit(at=AT))
    experiment.record_observation("a", 1.0, audit=Audit(at=AT), metric="m", covariate=2.0)
    stored = [LEDGER.mapper.to_stored_event(e) for e in experiment.collect_events()]
    old = [_old_form(stored[0], "plan"), stored[1], _old_form(stored[2], "metric", "covariate")]
    state = json.loads(old[2].state)  # type: ignore[attr-defined]
    state["arm"] = "control"  # old events name the default arms
    old[2] = replace(old[2], state=json.dumps(state).encode())  # type: ignore[type-var]
    aggregate = None
    for item in old:
        aggregate = LEDGER.mapper.to_domain_event(item).mutate(aggregate)  # type: ignore[arg-type]
    assert aggregate is not None
    assert aggregate.arms == ["control", "treatment"] and aggregate.plan == {}
    assert aggregate.observations == {"control": 1, "treatment": 0}


def test_the_projector_reads_old_experiment_events() -> None:
    projector = Projector(lambda oids: {}, lambda oids: {})
    audit = {"_type_": "audit", "_data_": {"at": "2026-01-01T00:00:00+00:00", "actor": None, "reason": None,
                                             "correlation": None}}
    stamp = {"_type_": "datetime_iso", "_data_": "2026-01-01T00:00:00+00:00"}
    proposed = {"key": "e", "team": "t", "hypothesis": "h", "metric": "m", "design": "ab", "promise": None,
                "audit": audit, "timestamp": stamp, "originator_version": 1}
    observed = {"arm": "control", "value": 2.5, "audit": audit, "timestamp": stamp, "originator_version": 2}
    projector.project([
        (1, "oid", 1, "domain.experiment:Experiment.Proposed", json.dumps(proposed).encode()),
        (2, "oid", 2, "domain.experiment:Experiment.ObservationRecorded", json.dumps(observed).encode()),
    ])
    assert projector.rows["experiments"][0][-1] == "{}"
    assert projector.rows["observations"][0][-3:] == (2.5, None, None)


def test_a_stored_event_replays_without_being_judged_again() -> None:
    """Refusals belong to the command methods: an arm summary stored under a looser rule than today's (its
    sum_squares a hair below sum²/n) and a conclusion recorded after it still replay into the same state."""
    experiment = Experiment(key="e", team="t", hypothesis="h", metric="m", design="ab", promise=None,
                            audit=Audit(at=AT), plan={"arms": ["a", "b"]})
    experiment.start(audit=Audit(at=AT))
    experiment.record_arm_summary("a", "m", {"n": 4, "sum": 8.0, "sum_squares": 16.0}, audit=Audit(at=AT))
    experiment.conclude("adopt", "it works", audit=Audit(at=AT))
    stored = [LEDGER.mapper.to_stored_event(e) for e in experiment.collect_events()]
    state = json.loads(stored[2].state)  # type: ignore[attr-defined]
    state["summary"]["sum_squares"] = 15.9  # today's command would refuse it
    stored[2] = replace(stored[2], state=json.dumps(state).encode())  # type: ignore[type-var]
    aggregate = None
    for item in stored:
        aggregate = LEDGER.mapper.to_domain_event(item).mutate(aggregate)  # type: ignore[arg-type]
    assert aggregate is not None
    assert (aggregate.status, aggregate.decision, aggregate.observations) == ("concluded", "adopt", {"a": 4, "b": 0})
