"""Which errors of a signal computation are its thread's own, not the views': the other threads waiting for the
same answer (``domain.service.single_flight``) read on cursors of their own, so they compute it themselves rather
than fail with it."""

from __future__ import annotations

import duckdb

from projections.projection_runner import caught_interrupt


def cursors_own(error: Exception) -> bool:
    """The computing thread's cursor was interrupted (Ctrl-C, a request cancelled) or closed while it read."""
    return caught_interrupt(error) or isinstance(error, duckdb.ConnectionException)
