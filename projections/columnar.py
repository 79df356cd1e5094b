"""The high-volume topics projected by DuckDB SQL over a whole page of stored rows at once.

DuckDB parses the stored JSON (vectorised, on every core) and appends the columns, with no
Python work per event. Each topic here keeps its ``Projector`` method as the reference (a test
holds the two paths equal, table by table); moving a topic between the paths is removing or
adding its ``COLUMNAR`` entry. A topic's SQL reads every stored topic that resolves to its class
(``page_topics.class_topic``, see ``Projector``): events stored under a moved module's old path too.
"""

from __future__ import annotations

import json
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


def _columnar(table: str, topic: str, shape: dict[str, Any], columns: str, *, key_from_log: bool = False
              ) -> tuple[str, str]:
    """(table, the SQL of one topic's rows of a page): ``s`` is the parsed state, ``l`` its ``event_log`` row."""
    log_join = " JOIN event_log l ON l.position = p.position AND l.position BETWEEN $first AND $last" \
        if key_from_log else ""
    return table, (f"INSERT INTO {table} SELECT p.position, {AT}, {columns} FROM (SELECT position,"
            f" from_json(state, '{_shape({**shape, 'audit': AUDIT_SHAPE})}') AS s FROM page"
            f" WHERE topic IN (SELECT topic FROM page_topics WHERE class_topic = '{topic}')) p{log_join}")


READING_RECORDED = event_topic(Reading, "Recorded")
FEEDBACK_RECORDED = event_topic(Feedback, "Recorded")
OBSERVATION_RECORDED = event_topic(Experiment, "ObservationRecorded")
OBSERVATION = event_topic(Observation, "Recorded")
FEEDBACK_RESOLVED = event_topic(Feedback, "Resolved")
_TABLE_SQL: dict[str, tuple[str, str]] = {
    READING_RECORDED: _columnar(
        "readings", READING_RECORDED,
        {"key": "VARCHAR", "metric": "VARCHAR", "value": "DOUBLE"}, "s.key, s.metric, s.value"),
    FEEDBACK_RECORDED: _columnar(
        "feedback", FEEDBACK_RECORDED,
        {"key": "VARCHAR", "client": "VARCHAR", "kind": "VARCHAR", "channel": "VARCHAR", "text": "VARCHAR",
         "rating": "DOUBLE", "team": "VARCHAR", "promise": "VARCHAR", "occurred_at": {"_data_": "VARCHAR"}},
        "s.key, s.client, s.kind, s.channel, s.text, s.rating, s.team, s.promise, "
        f"{utc_sql('s.occurred_at._data_')}, s.audit._data_.correlation"),
    OBSERVATION_RECORDED: _columnar(  # a big experiment holds millions
        "observations", OBSERVATION_RECORDED,
        {"arm": "VARCHAR", "value": "DOUBLE", "metric": "VARCHAR", "covariate": "DOUBLE"},
        "l.key, s.arm, s.value, s.metric, s.covariate", key_from_log=True),
    OBSERVATION: _columnar(  # observations as aggregates of their own (domain.observation)
        "observations", OBSERVATION,
        {"experiment": "VARCHAR", "arm": "VARCHAR", "value": "DOUBLE", "metric": "VARCHAR", "covariate": "DOUBLE"},
        "s.experiment, s.arm, s.value, s.metric, s.covariate"),
    FEEDBACK_RESOLVED: _columnar(
        "feedback_resolutions", FEEDBACK_RESOLVED,
        {"resolution": "VARCHAR"}, "l.key, s.resolution, s.audit._data_.actor", key_from_log=True),
}
COLUMNAR: dict[str, str] = {topic: sql for topic, (_, sql) in _TABLE_SQL.items()}
"""Event class topic -> the SQL that appends its rows of a page; these topics skip the Python handlers."""
@cache
def sealed_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """Topic -> (table, column) of personal text that SQL copies sealed (the event's ``sealed_fields``, in the
    column of the same name); the runner opens it, as ``Projector.reveal`` does. Asked when a page is
    projected, not at import: the personal fields come from the commands (pydantic)."""
    return {topic: tuple((table, field) for field in sealed_fields(resolve_topic(topic)))
            for topic, (table, _) in _TABLE_SQL.items() if sealed_fields(resolve_topic(topic))}
