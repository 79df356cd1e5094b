"""Stored topics named by the event classes, never written out by hand.

A stored event names its class by topic, ``module:Qualname`` (``domain.client:Client.Identified``),
so a topic written as a string silently stops matching when a module moves. Readers name event
classes instead (``event_topic(Client, "Identified")``) and map a stored topic to its class's
topic (``class_topic``), which also follows the topics registered for moved classes: when an
aggregate module moves, its new module calls ``eventsourcing.utils.register_topic(OLD, new)`` for
the old module path (or each old event topic), and every reader - the library's mapper, the
projector, the SQL path - keeps reading the events stored under the old name.
"""

from __future__ import annotations

from functools import cache

from eventsourcing.domain import AggregateCreated, DomainEvent
from eventsourcing.utils import TopicError, get_topic, resolve_topic


def event_class(aggregate: type, name: str) -> type[DomainEvent]:
    """The event class ``@event(name)`` made on ``aggregate`` (a type checker cannot see those)."""
    found = getattr(aggregate, name, None)
    if not (isinstance(found, type) and issubclass(found, DomainEvent)):
        raise LookupError(f"{aggregate.__qualname__} has no event class {name!r}")
    return found


def event_topic(aggregate: type, name: str) -> str:
    """The topic events of ``aggregate``'s ``name`` class are stored under today."""
    return get_topic(event_class(aggregate, name))


def sealed_fields(event: type) -> tuple[str, ...]:
    """The fields of ``event`` holding sealed personal text: its aggregate's ``PERSONAL_FIELDS`` (derived from
    the ``Personal`` command fields), which are given at creation, so carried by the creation event; and those
    of its ``LATER_PERSONAL_FIELDS`` a later event carries (text stored before they were sealed opens as is)."""
    owner = event.__qualname__.rpartition(".")[0]
    if not owner:  # an event class of its own, not an aggregate's
        return ()
    aggregate = resolve_topic(f"{event.__module__}:{owner}")
    if issubclass(event, AggregateCreated):
        return tuple(getattr(aggregate, "PERSONAL_FIELDS", ()))
    carried = getattr(event, "__annotations__", {})
    return tuple(name for name in getattr(aggregate, "LATER_PERSONAL_FIELDS", ()) if name in carried)


@cache
def class_topic(stored_topic: str) -> str | None:
    """The current topic of the class a stored topic resolves to (None: no such class)."""
    try:
        return get_topic(resolve_topic(stored_topic))
    except TopicError:
        return None
