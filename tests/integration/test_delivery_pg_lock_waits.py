"""Webhook delivery on a PostgreSQL store whose delivery table another session holds locked (an administrator's open
transaction): the claim of what is due waits ``CLIENTOCRACY_PG_LOCK_TIMEOUT`` and then is ``LockWaitTimeout`` naming
the tables (it was the driver's bare error), so the delivery loop says it in one line, not a traceback, and
delivers once the lock is released."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from domain.stores.common import opened_recorder
from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.port import LedgerStore
from domain.stores.webhook_rows import DeliveryRow
from domain.stores.webhook_tables import webhooks_in
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.endpoints import add_endpoint
from tests.support.delivery_under_lock import delivered_once_released
from tests.support.pg_locks import held
from tests.support.webhook_receiver import receiver

pytestmark = pytest.mark.postgres
BOUND = 1


@pytest.fixture
def store(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LedgerStore]:
    monkeypatch.setenv("CLIENTOCRACY_PG_LOCK_TIMEOUT", str(BOUND))
    monkeypatch.setenv(ALLOW_PRIVATE, "1")
    with opened_recorder(postgres_url) as opened:
        yield opened


def locking_deliveries(store: LedgerStore) -> str:
    return f"LOCK TABLE {webhooks_in(store).names['d']} IN EXCLUSIVE MODE"  # plain reads pass, claims wait


def due(store: LedgerStore, endpoint: str) -> None:
    now = time.time()
    webhooks_in(store).add_deliveries([DeliveryRow("msg_1", endpoint, "sig_1", "k", "pending", '{"a": 1}', now, now,
                                                   0.0, 0, None, None)])


def test_a_claim_behind_a_held_table_is_a_lock_wait_naming_the_tables(store: LedgerStore, postgres_url: str) -> None:
    endpoint, _ = add_endpoint(store, "http://127.0.0.1:9/hook")
    due(store, endpoint.id)
    tables = webhooks_in(store)
    with held(postgres_url, locking_deliveries(store)):
        started = time.monotonic()
        with pytest.raises(LockWaitTimeout, match="webhook_deliveries") as raised:
            tables.claim({endpoint.id: 4}, time.time(), time.time() + 60)
        took = time.monotonic() - started
    assert raised.value.waited == BOUND and "nothing was written" in str(raised.value)
    assert took < 3 * BOUND, f"the claim waited {took:.1f} s: the bound more than once"
    assert [row.id for row in tables.claim({endpoint.id: 4}, time.time(), time.time() + 60)] == ["msg_1"]


def test_the_delivery_loop_says_a_lock_wait_in_one_line_and_delivers_after_it(
        store: LedgerStore, postgres_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with receiver() as got:
        endpoint, got.secret = add_endpoint(store, got.url)
        webhooks_in(store).prime(endpoint.id, [])
        caplog.set_level(logging.INFO)
        due(store, endpoint.id)
        delivered_once_released(store, got, held(postgres_url, locking_deliveries(store)), BOUND)
    waits = [r for r in caplog.records if "lock" in r.getMessage() and "webhook_deliveries" in r.getMessage()]
    assert waits and all("webhook delivery paused" in r.getMessage() for r in waits), caplog.text
    assert [r.getMessage() for r in caplog.records if r.exc_info] == [], caplog.text  # no traceback
