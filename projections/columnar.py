"""The high-volume topics projected by DuckDB SQL over a whole page of stored rows at once.

DuckDB parses the stored JSON (vectorised, on every core) and appends the columns, with no
Python work per event but opening sealed personal text (``REVEAL``, a column at a time). Each topic
here keeps its ``Projector`` method as the reference (a test holds the two paths equal, table by
table); moving a topic between the paths is removing or adding its ``COLUMNAR`` entry. A topic's SQL
reads every stored topic that resolves to its class (``page_topics.class_topic``, see ``Projector``):
events stored under a moved module's old path too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from eventsourcing.utils import resolve_topic

from domain.audit import TRUSTED_CHANNEL
from domain.experiment import Experiment
from domain.feedback import Feedback
from domain.metric import Reading
from domain.observation import Observation
from domain.topics import event_topic, sealed_fields


def utc_sql(expression: str) -> str:
    """``utc_text`` in DuckDB SQL: ISO text (any offset) as a naive UTC timestamp."""
    return (f"CASE WHEN ends_with({expression}, '+00:00') THEN CAST({expression} AS TIMESTAMP)"
            f" ELSE CAST(timezone('UTC', CAST({expression} AS TIMESTAMPTZ)) AS TIMESTAMP) END")


def _shape(fields: dict[str, Any]) -> str:
    """A ``from_json`` structure: only these fields of the stored state are parsed."""
    return json.dumps(fields).replace("'", "''")


AUDIT_SHAPE = {"_data_": {"at": "VARCHAR", "actor": "VARCHAR", "reason": "VARCHAR", "correlation": "VARCHAR",
                          "channel": "VARCHAR"}}
AT = utc_sql("s.audit._data_.at")
CHANNEL_SQL = (  # channel_of in SQL
    "coalesce(nullif(e.s.audit._data_.channel, ''), CASE split_part(e.s.audit._data_.correlation, ':', 1)"
    f" WHEN 'kafka' THEN 'kafka' WHEN 'file' THEN 'file' WHEN 'stdin' THEN 'file' ELSE '{TRUSTED_CHANNEL}' END)"
)
_EVENT_LOG_SELECT = f"""
INSERT INTO event_log
SELECT e.position, e.aggregate_id, @KEY@, e.version, t.aggregate_type, t.event,
    {AT.replace("s.", "e.s.")}, {utc_sql("e.s.timestamp._data_")},
    e.s.audit._data_.actor, e.s.audit._data_.reason, e.s.audit._data_.correlation, {CHANNEL_SQL}
FROM (
    SELECT position, aggregate_id, version, topic,
        from_json(state, '{_shape({"key": "VARCHAR", "timestamp": {"_data_": "VARCHAR"}, "audit": AUDIT_SHAPE})}') AS s
    FROM page
) e JOIN page_topics t USING (topic)@EARLIER@
"""
EVENT_LOG_SQL = _EVENT_LOG_SELECT.replace("@KEY@", "CASE WHEN e.version = 1 THEN e.s.key ELSE k.key END").replace(
    "@EARLIER@", """
LEFT JOIN (
    SELECT aggregate_id, key FROM event_log
    WHERE version = 1 AND aggregate_id IN (SELECT aggregate_id FROM page WHERE version > 1)
    UNION ALL
    SELECT aggregate_id, json_extract_string(state, '$.key') FROM page
    WHERE version = 1 AND aggregate_id IN (SELECT aggregate_id FROM page WHERE version > 1)
) k ON e.version > 1 AND k.aggregate_id = e.aggregate_id""")
"""The ``event_log`` rows of a whole page (the relation ``page``, with ``page_topics`` naming each stored
topic's aggregate type, event and ``class_topic``, the topic of the class it resolves to);
a later event's key is its first event's, read from earlier pages or from this one."""
EVENT_LOG_SQL_FIRST_EVENTS = _EVENT_LOG_SELECT.replace("@KEY@", "e.s.key").replace("@EARLIER@", "")
"""The same for a page of first events only (no keys to look up)."""


REVEAL = "reveal_personal"
"""The SQL function that opens sealed personal text (``projections.page_sql`` binds it to the runner's reader)."""


@dataclass(frozen=True)
class ColumnarTopic:
    """One SQL-projected topic: its table, the state fields parsed (``s``), the columns appended after
    position and time (``l`` is the ``event_log`` row, when ``key_from_log``)."""

    table: str
    topic: str
    shape: dict[str, Any]
    columns: tuple[str, ...]
    key_from_log: bool = False

    def sealed(self) -> tuple[str, ...]:
        """The event's ``sealed_fields``: columns ``s.FIELD`` into the table's column of the same name."""
        return sealed_fields(resolve_topic(self.topic))

    def sql(self) -> str:
        """The INSERT of this topic's rows of a page, its sealed fields opened by ``REVEAL`` as they go in."""
        sealed = {f"s.{field}" for field in self.sealed()}
        columns = ", ".join(f"{REVEAL}({column})" if column in sealed else column for column in self.columns)
        log_join = " JOIN event_log l ON l.position = p.position AND l.position BETWEEN $first AND $last" \
            if self.key_from_log else ""
        return (f"INSERT INTO {self.table} SELECT p.position, {AT}, {columns} FROM (SELECT position,"
                f" from_json(state, '{_shape({**self.shape, 'audit': AUDIT_SHAPE})}') AS s FROM page"
                f" WHERE topic IN (SELECT topic FROM page_topics WHERE class_topic = '{self.topic}')) p{log_join}")


READING_RECORDED = event_topic(Reading, "Recorded")
FEEDBACK_RECORDED = event_topic(Feedback, "Recorded")
OBSERVATION_RECORDED = event_topic(Experiment, "ObservationRecorded")
OBSERVATION = event_topic(Observation, "Recorded")
FEEDBACK_RESOLVED = event_topic(Feedback, "Resolved")
COLUMNAR: dict[str, ColumnarTopic] = {topic.topic: topic for topic in (
    ColumnarTopic("readings", READING_RECORDED, {"key": "VARCHAR", "metric": "VARCHAR", "value": "DOUBLE"},
                  ("s.key", "s.metric", "s.value")),
    ColumnarTopic("feedback", FEEDBACK_RECORDED,
                  {"key": "VARCHAR", "client": "VARCHAR", "kind": "VARCHAR", "channel": "VARCHAR", "text": "VARCHAR",
                   "rating": "DOUBLE", "team": "VARCHAR", "promise": "VARCHAR", "occurred_at": {"_data_": "VARCHAR"}},
                  ("s.key", "s.client", "s.kind", "s.channel", "s.text", "s.rating", "s.team", "s.promise",
                   utc_sql("s.occurred_at._data_"), "s.audit._data_.correlation")),
    ColumnarTopic("observations", OBSERVATION_RECORDED,  # a big experiment holds millions
                  {"arm": "VARCHAR", "value": "DOUBLE", "metric": "VARCHAR", "covariate": "DOUBLE"},
                  ("l.key", "s.arm", "s.value", "s.metric", "s.covariate"), key_from_log=True),
    ColumnarTopic("observations", OBSERVATION,  # observations as aggregates of their own (domain.observation)
                  {"experiment": "VARCHAR", "arm": "VARCHAR", "value": "DOUBLE", "metric": "VARCHAR",
                   "covariate": "DOUBLE"}, ("s.experiment", "s.arm", "s.value", "s.metric", "s.covariate")),
    ColumnarTopic("feedback_resolutions", FEEDBACK_RESOLVED, {"resolution": "VARCHAR"},
                  ("l.key", "s.resolution", "s.audit._data_.actor"), key_from_log=True),
)}
"""Event class topic -> how SQL appends its rows of a page; these topics skip the Python handlers."""


@cache
def columnar_sql() -> dict[str, str]:
    """Event class topic -> the SQL of its rows of a page. Made when a page is projected, not at import: the
    personal fields come from the commands (pydantic)."""
    return {topic: columnar.sql() for topic, columnar in COLUMNAR.items()}


@cache
def sealed_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Topic -> (table, column) of personal text, opened as SQL copies it (as ``Projector.reveal`` does)."""
    return {topic: tuple((columnar.table, field) for field in columnar.sealed())
            for topic, columnar in COLUMNAR.items() if columnar.sealed()}
