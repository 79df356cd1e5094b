"""The libpq settings of our own connections honour what the operator set in the environment, as libpq and the
library's pool would: ``PGCONNECT_TIMEOUT`` for the connect timeout, ``LEDGER_POSTGRES_PASSWORD`` for the password
when the store's URL has none."""

from __future__ import annotations

import pytest

from domain.stores.pg_connect import CONNECT_TIMEOUT, connection_settings, settings_password


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
