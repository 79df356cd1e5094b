"""Events stored under a moved module's old topic stay readable once the old topic is registered
(``eventsourcing.utils.register_topic``, see ``projections.projector``): by the library, by the projector and
by the SQL path alike, on the in-memory store and in-memory views."""

from __future__ import annotations

import json

import duckdb
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import register_topic

from domain.base import key_id
from domain.commands import COMMAND_ADAPTER
from domain.metric import Reading
from domain.service.ledger import Ledger
from domain.topics import event_class
from projections.runner import ProjectionRunner

OLD_TOPIC = "domain.readings_before_the_move:Reading.Recorded"
LINES = [
    {"type": "DefineMetric", "metric": "wait", "name": "Wait", "unit": "min", "direction": "lower_is_better",
     "at": "2026-01-05T09:00:00Z"},
    {"type": "RecordReading", "id": "r1", "metric": "wait", "value": 7, "at": "2026-01-05T10:00:00Z"},
]


@pytest.mark.parametrize("columnar", [True, False], ids=["sql-path", "python-path"])
def test_a_reading_stored_under_its_old_topic_is_projected_and_loaded(columnar: bool) -> None:
    register_topic(OLD_TOPIC, event_class(Reading, "Recorded"))
    ledger = Ledger.open("memory://")
    con = duckdb.connect(":memory:")
    try:
        assert ledger.execute([COMMAND_ADAPTER.validate_python(line) for line in LINES]).rejected == []
        (today,) = [n for n in ledger.store.select_notifications(1, 10) if n.topic.endswith("Reading.Recorded")]
        state = {**json.loads(today.state), "key": "r2", "value": 9.0}
        ledger.store.insert_events([StoredEvent(originator_id=key_id(Reading.KIND, "r2"), originator_version=1,
                                                topic=OLD_TOPIC, state=json.dumps(state).encode())])
        ProjectionRunner(ledger.store, con, columnar=columnar).catch_up(refresh=False)
        assert con.execute("SELECT reading, value FROM readings ORDER BY position").fetchall() == [
            ("r1", 7.0), ("r2", 9.0)]
        assert con.execute("SELECT aggregate_type, event FROM event_log WHERE key = 'r2'").fetchall() == [
            ("Reading", "Recorded")]
        old = ledger.state(Reading, "r2")
        assert old is not None and old.value == 9.0
    finally:
        con.close()
        ledger.close()
