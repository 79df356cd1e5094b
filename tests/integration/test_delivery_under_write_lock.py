"""Webhook and e-mail delivery on a SQLite store whose write lock another process holds (a shell's open
transaction, a long import). Their reads (endpoints, deliveries, mail rows, appearances, and the look for what is
due) ran as write transactions, so each waited out the busy timeout: the delivery loop, reading its endpoints every
second, logged a traceback each time. Reads now answer at once (WAL); a write that still waits is one line of the
log, and what was due is sent once the lock is released."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from domain.stores.appearance_tables import appearances_in
from domain.stores.common import opened_recorder
from domain.stores.mail_tables import MailRow, mail_in
from domain.stores.port import LedgerStore
from domain.stores.webhook_rows import DeliveryRow
from domain.stores.webhook_tables import webhooks_in
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.endpoints import add_endpoint
from tests.support.delivery_under_lock import delivered_once_released
from tests.support.sqlite_locks import write_lock_held
from tests.support.webhook_receiver import receiver

BUSY_TIMEOUT = 3
AT_ONCE = 0.5
"""Seconds a read may take with the write lock held (it used to take the busy timeout, then fail)."""


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LedgerStore]:
    monkeypatch.setenv("CLIENTOCRACY_SQLITE_BUSY_TIMEOUT", str(BUSY_TIMEOUT))
    monkeypatch.setenv(ALLOW_PRIVATE, "1")
    with opened_recorder(f"sqlite:///{tmp_path / 'ledger.db'}") as opened:
        yield opened


@contextmanager
def quick(what: str) -> Iterator[None]:
    started = time.monotonic()
    yield
    took = time.monotonic() - started
    assert took < AT_ONCE, f"{what} took {took:.2f} s behind another process's write lock"


def test_reads_answer_at_once_while_another_process_holds_the_write_lock(store: LedgerStore, tmp_path: Path) -> None:
    endpoint, _ = add_endpoint(store, "http://127.0.0.1:9/hook")
    tables = webhooks_in(store)
    tables.add_deliveries([DeliveryRow("msg_1", endpoint.id, "sig_1", "k", "pending", "{}", 100.0, 9e9, 0.0, 0,
                                       None, None)])
    mail = mail_in(store)
    mail.add([MailRow("mail_1", "carol", "sig_1", "pending", "s", "b", 100.0, 9e9, 0.0, 0, None, None)])
    appearances = appearances_in(store)
    with write_lock_held(tmp_path / "ledger.db"):
        with quick("opening the webhook tables"):
            tables = webhooks_in(store)
        with quick("reading the endpoints"):
            assert [e.id for e in tables.endpoints()] == [endpoint.id]
        with quick("reading the deliveries"):
            assert [d.id for d, _ in tables.deliveries(10)] == ["msg_1"]
        with quick("looking for known deliveries"):
            assert tables.known_deliveries(["msg_1", "msg_2"]) == {"msg_1"}
        with quick("claiming when nothing is due"):
            assert tables.claim({endpoint.id: 4}, time.time(), time.time() + 60) == []
        with quick("reading the e-mail rows"):
            assert [r.id for r in mail_in(store).rows()] == ["mail_1"]
            assert mail.known(["mail_1", "mail_2"]) == {"mail_1"}
        with quick("claiming e-mail when nothing is due"):
            assert mail.claim(time.time(), time.time() + 60, 10) == []
        with quick("reading the appearances"):
            assert appearances_in(store).last_round() is None
            assert appearances.appeared(["sig_1"]) == {}


def test_the_delivery_loop_says_a_lock_wait_in_one_line_and_delivers_after_it(
        store: LedgerStore, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with receiver() as got:
        endpoint, got.secret = add_endpoint(store, got.url)
        webhooks_in(store).prime(endpoint.id, [])
        now = time.time()
        webhooks_in(store).add_deliveries([DeliveryRow("msg_1", endpoint.id, "sig_1", "k", "pending", '{"a": 1}',
                                                       now, now, 0.0, 0, None, None)])
        caplog.set_level(logging.INFO)
        delivered_once_released(store, got, write_lock_held(tmp_path / "ledger.db"), BUSY_TIMEOUT)
    waits = [r for r in caplog.records if "write lock" in r.getMessage()]
    assert waits and all(r.levelno == logging.WARNING for r in waits), caplog.text
    assert all("webhook delivery paused" in r.getMessage() for r in waits), caplog.text
    assert [r.getMessage() for r in caplog.records if r.exc_info] == [], caplog.text  # no traceback
