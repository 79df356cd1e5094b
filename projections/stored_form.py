"""The stored form of an event as the projections read it: JSON state, ISO times, topics by their class.

Shared by the Python projector and the runner's SQL path, so both read a stored event the same way.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import orjson

from domain.topics import class_topic

Row = tuple[Any, ...]
State = dict[str, Any]


def utc_text(value: Any) -> str | None:
    """A stored datetime (ISO text or the transcoder's dict) as naive-UTC ISO text."""
    if value is None:
        return None
    if isinstance(value, dict):
        value = value["_data_"]
    if value.endswith("+00:00"):
        return value[:-6]
    return datetime.fromisoformat(value).astimezone(UTC).replace(tzinfo=None).isoformat()


def decode_state(stored: bytes) -> State:
    """The stored JSON; orjson is several times faster, ``json`` takes what it refuses (integers beyond 64 bits)."""
    try:
        return orjson.loads(stored)  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        return json.loads(stored)  # type: ignore[no-any-return]


def json_text(value: Any) -> str:
    """Lists and objects as canonical JSON text (sorted keys, no spaces): equal values, equal cells."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def topic_names(topic: str) -> tuple[str, str]:
    """(aggregate type, event name) of a stored topic such as ``domain.team:Team.Formed``, by the class it
    resolves to (an old topic of a moved class reads as the class today)."""
    aggregate_type, _, event = (class_topic(topic) or topic).rpartition(".")
    return aggregate_type.rpartition(":")[2], event
