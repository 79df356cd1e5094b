"""The libpq settings every PostgreSQL connection of ours is opened with, in one place.

``connect_timeout``: a server that is down, or a host that drops packets, is an error naming the store
after it, not a command waiting forever. TCP keepalives: a server host that disappears while a query runs
(no FIN, no RST reaches us) is noticed after about a minute (idle 30 s, then 3 probes 10 s apart), not
after the kernel's default of about two hours.

libpq reads no environment variable for keepalives (only ``PGCONNECT_TIMEOUT``), and the library's
datastore gives libpq neither (its ``connect_timeout`` is how long its pool waits for a connection), so
our factory adds them to its pool's keywords. Every other connection (the schema check, a reader's,
verify's workers, the rebuild's reading process) takes them from ``connection_settings`` too.

libpq's ``options`` starts every session with our ``lock_timeout`` (``lock_wait``); an operator's
``PGOPTIONS``, which that keyword would otherwise replace, follows it, so its settings still apply.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment, resolve_topic

from domain.stores.lock_wait import lock_timeout
from domain.stores.port import LEDGER_NAME

CONNECT_TIMEOUT = 10
"""Seconds a new connection may take (libpq's ``connect_timeout``)."""
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
"""libpq's TCP keepalive parameters: a silent peer is given up after 30 + 3 × 10 seconds."""


def connection_settings() -> dict[str, Any]:
    """libpq keywords for every new connection (read at each call, so a test can shorten the timeout). An
    operator's ``PGCONNECT_TIMEOUT`` (libpq's own variable) stands, as libpq would honour it without us."""
    timeout = os.environ.get("PGCONNECT_TIMEOUT", "").strip() or CONNECT_TIMEOUT
    options = f"-c lock_timeout={lock_timeout() * 1000} {os.environ.get('PGOPTIONS', '')}".strip()
    return {"connect_timeout": timeout, **KEEPALIVES, "options": options}


def settings_query() -> str:
    """``connection_settings`` as a connection URI's query (``connect_timeout=10&keepalives=1&…``)."""
    return urlencode(connection_settings(), quote_via=quote)  # %20, not "+": libpq reads no "+" as a space


def connect_kwargs(pool: Any) -> dict[str, Any] | None:
    """The keywords for a connection of our own like the ones ``pool`` (the library's, or a reader's) opens:
    its password is asked of the password function, when one is configured, for each call, as the library's
    pool does for each connection. None when the pool's settings are not plain keywords (the library also
    takes a callable)."""
    kwargs = pool.kwargs
    if not isinstance(kwargs, dict):
        return None
    own = {key: value for key, value in kwargs.items() if key != "row_factory"}
    get_password = getattr(pool, "get_password_func", None)
    if get_password is not None:
        own["password"] = get_password()
    return {**connection_settings(), **own}


def settings_password(settings: Mapping[str, str]) -> str | None:
    """The password for a connection made from a store's settings (``stores.url``) before the library's
    factory exists (the schema check, whose connection a reader keeps): the password function's, when
    ``POSTGRES_GET_PASSWORD_TOPIC`` names one, as the factory would ask it; else the URL's (None if empty)."""
    topic = Environment(LEDGER_NAME, {**os.environ, **settings}).get(PostgresFactory.POSTGRES_GET_PASSWORD_TOPIC)
    if topic:
        return str(resolve_topic(topic)())
    return Environment(LEDGER_NAME, {**os.environ, **settings}).get(PostgresFactory.POSTGRES_PASSWORD) or None


class LedgerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory whose pool opens its connections with ``connection_settings``, and
    whose datastore gives the library's ``LOCK TABLE`` our lock wait (it sets its own before that lock)."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self.datastore.lock_timeout = lock_timeout()
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict)  # the library's datastore passes plain keywords
        kwargs.update(connection_settings())
