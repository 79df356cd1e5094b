"""Stored topics name real event classes: a moved module cannot silently orphan stored events.

Every topic the sample company stores resolves to an event class, every topic the projector or the
SQL path is keyed by is the topic of a real event class, and an old topic registered for a moved
class is projected as the class's own.
"""

from __future__ import annotations

import json

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic, register_topic, resolve_topic

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from domain.team import Team
from domain.topics import class_topic, event_class
from projections.columnar import COLUMNAR, sealed_columns
from projections.projector import EVENT_LOG_ONLY, Projector
from projections.stored_form import topic_names
from scripts.sample_company import sample_company_commands


def test_every_topic_the_sample_company_stores_resolves_to_an_event_class(sqlite_url: str) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in sample_company_commands()])
        assert not result.rejected, result.rejected[:3]
        ledger.forget("client", "households", "the household asked to be forgotten")
        topics = {topic for _, _, _, topic, _ in ledger.recorder.select_notification_rows(1, 1_000_000)}
    finally:
        ledger.close()
    assert len(topics) > 25
    for topic in topics:
        cls = resolve_topic(topic)
        assert isinstance(cls, type) and issubclass(cls, DomainEvent), topic
        assert get_topic(cls) == topic == class_topic(topic)


def test_every_key_of_the_projector_and_the_sql_path_is_an_event_class_topic() -> None:
    keys = [*Projector(dict, dict).handlers, *EVENT_LOG_ONLY, *COLUMNAR, *sealed_columns()]
    for topic in keys:
        cls = resolve_topic(topic)
        assert isinstance(cls, type) and issubclass(cls, DomainEvent), topic
        assert get_topic(cls) == topic
    assert class_topic("domain.nowhere:Team.Formed") is None


def test_an_old_topic_registered_for_a_moved_class_is_projected_as_the_class() -> None:
    formed = event_class(Team, "Formed")
    register_topic("domain.teams_before_the_move:Team.Formed", formed)
    state = {"key": "t1", "name": "Team one", "timestamp": "2026-03-01T09:00:00+00:00",
             "audit": {"_data_": {"at": "2026-03-01T09:00:00+00:00", "actor": None, "reason": None,
                                  "correlation": None}}}
    projector = Projector(dict, dict)
    projector.project([(1, "a" * 32, 1, "domain.teams_before_the_move:Team.Formed", json.dumps(state).encode())])
    assert projector.rows["teams"] == [(1, "2026-03-01T09:00:00", "t1", "Team one")]
    assert topic_names("domain.teams_before_the_move:Team.Formed") == ("Team", "Formed")
