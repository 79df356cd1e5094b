"""A store that fails while the ends of finished attempts are written: the attempts are written in a later round,
and their endpoint's share of the workers is free again (found in review: they were lost and held it until a
restart)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from domain.stores.common import opened_recorder
from domain.stores.webhook_tables import DeliveryRow, WebhookTables
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.deliverer import Deliverer
from notifications.webhooks.endpoints import add_endpoint
from notifications.webhooks.policy import DeliveryPolicy
from tests.support.webhook_receiver import receiver

FAST = DeliveryPolicy(timeout=2.0, backoff=0.1)


@pytest.fixture(autouse=True)
def _private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


class FailingOnce:
    """The real tables, but the next write of attempts' ends fails once when ``armed`` (as an unreachable store
    would), writing nothing."""

    def __init__(self, tables: WebhookTables) -> None:
        self.tables = tables
        self.armed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tables, name)

    def _maybe_fail(self) -> None:
        if self.armed:
            self.armed = False
            raise ConnectionError("the store is unreachable")

    def finish_and_claim(self, *args: Any) -> Any:
        self._maybe_fail()
        return self.tables.finish_and_claim(*args)

    def finish(self, *args: Any) -> Any:
        self._maybe_fail()
        return self.tables.finish(*args)


def _answered(deliverer: Deliverer, count: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while deliverer.answered.qsize() < count and time.monotonic() < deadline:
        time.sleep(0.02)
    assert deliverer.answered.qsize() == count


def test_ends_whose_write_failed_are_written_later_and_free_the_workers(store_url: str) -> None:
    with opened_recorder(store_url) as store, receiver() as got:
        _, got.secret = add_endpoint(store, got.url)
        deliverer = Deliverer(store, FAST)
        tables = FailingOnce(deliverer.tables)
        (endpoint,) = tables.endpoints()
        deliverer.tables = tables  # type: ignore[assignment]
        now = time.time()
        tables.add_deliveries([DeliveryRow(f"msg_{i:02}", endpoint.id, f"sig_{i}", "negotiation_waiting", "pending",
                                           "{}", now, now, 0.0, 0, None, None) for i in range(12)])
        try:
            assert deliverer.dispatch([endpoint]) == FAST.per_endpoint  # 8 of the 12: the endpoint's share
            _answered(deliverer, FAST.per_endpoint)
            tables.armed = True
            with pytest.raises(ConnectionError):
                deliverer.dispatch([endpoint])
            assert deliverer.dispatch([endpoint]) == 4  # the 8 ends written, the other 4 started
            _answered(deliverer, 4)
            tables.armed = True  # the same for ``record`` (a stop's last writes)
            with pytest.raises(ConnectionError):
                deliverer.record()
            deliverer.record()
            assert deliverer.in_flight() == 0
            rows = tables.deliveries(20)
            assert sorted(d.state for d, _ in rows) == ["delivered"] * 12
            assert all(len(attempts) == 1 for _, attempts in rows)
        finally:
            deliverer.close(grace=0)
        assert len(got.received) == 12
