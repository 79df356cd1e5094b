"""The libpq settings of our own connections honour what the operator set in the environment, as libpq and the
library's pool would: ``PGCONNECT_TIMEOUT`` for the connect timeout, ``LEDGER_POSTGRES_PASSWORD`` for the password
when the store's URL has none."""

from __future__ import annotations

import pytest

from domain.stores.errors import StoreError
from domain.stores.lock_wait import LOCK_TIMEOUT
from domain.stores.pg_connect import CONNECT_TIMEOUT, connection_settings, settings_password, settings_query


def test_the_connect_timeout_is_ours_unless_the_operator_set_libpqs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    assert connection_settings()["connect_timeout"] == CONNECT_TIMEOUT
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "3")
    assert connection_settings()["connect_timeout"] == "3"
    assert connection_settings()["keepalives"] == 1


def test_the_password_comes_from_the_ledgers_environment_when_the_url_has_none(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEDGER_POSTGRES_GET_PASSWORD_TOPIC", raising=False)
    monkeypatch.delenv("POSTGRES_GET_PASSWORD_TOPIC", raising=False)
    monkeypatch.setenv("LEDGER_POSTGRES_PASSWORD", "from-the-environment")
    assert settings_password({"POSTGRES_PASSWORD": ""}) == "from-the-environment"
    monkeypatch.delenv("LEDGER_POSTGRES_PASSWORD")
    assert settings_password({"POSTGRES_PASSWORD": "in-the-url"}) == "in-the-url"
    assert settings_password({"POSTGRES_PASSWORD": ""}) is None


def test_every_session_starts_with_our_lock_wait_and_keeps_the_operators_pgoptions(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", raising=False)
    monkeypatch.delenv("PGOPTIONS", raising=False)
    assert connection_settings()["options"] == f"-c lock_timeout={LOCK_TIMEOUT * 1000}"
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "2")
    monkeypatch.setenv("PGOPTIONS", "-c search_path=audit")  # libpq's own: our ``options`` would replace it
    assert connection_settings()["options"] == "-c lock_timeout=2000 -c search_path=audit"
    assert "options=-c%20lock_timeout%3D2000%20" in settings_query()  # a URI libpq reads: no "+" for a space


def test_a_lock_wait_that_is_not_whole_seconds_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", "5s")
    with pytest.raises(StoreError, match="CLIENTOCRACY_PG_LOCK_TIMEOUT='5s': whole seconds"):
        connection_settings()
