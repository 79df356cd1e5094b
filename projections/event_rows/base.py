"""What every group of event methods appends to: the page's rows per table."""

from __future__ import annotations

from projections.stored_form import Row


class EventRows:
    """A method ``_name(position, state, version)`` per event type appends its rows to ``rows[table]``; the
    state holds the stored fields and ``_at``, ``_key``, ``_oid``, ``_event``, ``_audit`` (``Projector.project``)."""

    rows: dict[str, list[Row]]
