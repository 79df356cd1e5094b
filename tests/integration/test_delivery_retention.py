"""Ended deliveries are deleted after ``DeliveryPolicy.keep`` (30 days; ``CLIENTOCRACY_DELIVERY_KEEP_DAYS``, at
least 8): webhook deliveries with their attempts and e-mail rows, at a loop's start and hourly after; pending ones
are never deleted, whatever their age, nor a delivery whose signal could still be delivered."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from domain.stores.common import opened_recorder
from domain.stores.mail_tables import MailRow, mail_in
from domain.stores.webhook_tables import AttemptRow, DeliveryRow, Ending, webhooks_in
from notifications.email.mailer import Mailer
from notifications.email.smtp import SmtpSettings
from notifications.webhooks.policy import DAY, KEEP_DAYS, DeliveryPolicy, PolicyError
from notifications.webhooks.running import DeliveryLoop
from tests.support.cli import CLI

KEEP = DeliveryPolicy(keep=30 * DAY)


@contextmanager
def nothing() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    yield con
    con.close()


def delivery(key: str, state: str, created: float, done: float | None = None) -> DeliveryRow:
    return DeliveryRow(f"msg_{key}", "whe_1", f"sig_{key}", "k", state, "{}", created, created, 0.0, 0, None, done)


def test_ended_deliveries_and_their_attempts_go_after_the_days_kept(any_store_url: str) -> None:
    now = time.time()
    with opened_recorder(any_store_url) as store:
        tables = webhooks_in(store)
        tables.add_deliveries([
            delivery("old", "pending", now - 40 * DAY),  # sent after 40 days of retries or an outage: it stays
            delivery("skipped", "skipped", now - 31 * DAY),  # an endpoint's backlog, set aside 31 days ago
            delivery("recent", "delivered", now - 2 * DAY, now - 2 * DAY),
            delivery("failed", "failed", now - 35 * DAY, now - 34 * DAY),
            delivery("waiting", "pending", now - 45 * DAY)._replace(next_at=now + DAY),  # still retried: stays
        ])
        (claimed,) = tables.claim({"whe_1": 1}, now - 40 * DAY, now - 40 * DAY + 35)
        tables.finish([Ending(AttemptRow(claimed.id, 1, now - 40 * DAY, 200, 0.2, "ok"), "delivered",
                              now - 40 * DAY)])  # delivered 40 days ago: it and its attempt go
        loop = DeliveryLoop(store, lambda now: [], lambda: False, policy=KEEP)
        try:
            assert loop.clean() == 3
            assert loop.clean() == 0  # hourly, not on every round
            left = {d.id: [a.number for a in attempts] for d, attempts in tables.deliveries(100)}
            assert left == {"msg_recent": [], "msg_waiting": []}
            assert tables.forget_done(now) == 1  # the skipped ones are gone too (listed or not)
            assert [d.id for d, _ in tables.deliveries(100)] == ["msg_waiting"]  # pending: whatever its age
            assert tables.claim({"whe_1": 1}, now, now + 35) == []
        finally:
            loop.close()


def test_ended_mail_goes_after_the_days_kept_and_pending_mail_stays(store_url: str) -> None:
    now = time.time()

    def mail(key: str, state: str, done: float | None) -> MailRow:
        return MailRow(f"mail_{key}", "ann", f"sig_{key}", state, "s", "b", now - 50 * DAY, now - 50 * DAY, 0.0, 1,
                       None, done)

    with opened_recorder(store_url) as store:
        table = mail_in(store)
        table.add([mail("sent", "sent", now - 31 * DAY), mail("failed", "failed", now - 45 * DAY),
                   mail("skipped", "skipped", now - 40 * DAY), mail("recent", "sent", now - DAY),
                   mail("waiting", "pending", None)])
        mailer = Mailer(store, SmtpSettings("127.0.0.1", 1), nothing)
        loop = DeliveryLoop(store, lambda now: [], lambda: False, policy=KEEP, mail=mailer)
        try:
            assert loop.clean() == 3
        finally:
            loop.close()
        assert sorted(r.id for r in table.rows()) == ["mail_recent", "mail_waiting"]


def test_deliveries_kept_for_ever_are_never_deleted(store_url: str) -> None:
    """``CLIENTOCRACY_DELIVERY_KEEP_DAYS=inf`` is allowed (at least 8 days): nothing ended is deleted."""
    now = time.time()
    with opened_recorder(store_url) as store:
        tables, table = webhooks_in(store), mail_in(store)
        tables.add_deliveries([delivery("ancient", "delivered", now - 900 * DAY, now - 900 * DAY),
                               delivery("skipped", "skipped", now - 900 * DAY)])
        table.add([MailRow("mail_ancient", "ann", "sig_1", "sent", "s", "b", now - 900 * DAY, now - 900 * DAY,
                           0.0, 1, None, now - 900 * DAY)])
        loop = DeliveryLoop(store, lambda now: [], lambda: False, policy=DeliveryPolicy(keep=float("inf")),
                            mail=Mailer(store, SmtpSettings("127.0.0.1", 1), nothing))
        try:
            assert loop.clean() == 0
        finally:
            loop.close()
        assert [d.id for d, _ in tables.deliveries(100)] == ["msg_ancient"] and len(table.rows()) == 1
        assert tables.forget_done(now) == 2  # the skipped one (never listed) was still there too


@pytest.mark.parametrize(("value", "days"), [(None, 30.0), ("", 30.0), ("8", 8.0), ("90.5", 90.5),
                                           ("inf", float("inf"))])
def test_the_days_kept_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str | None,
                                                 days: float) -> None:
    if value is None:
        monkeypatch.delenv(KEEP_DAYS, raising=False)
    else:
        monkeypatch.setenv(KEEP_DAYS, value)
    assert DeliveryPolicy.from_environment().keep == days * DAY


@pytest.mark.parametrize(("value", "why"), [("7", "at least 8 days"), ("-1", "at least 8 days"),
                                            ("nan", "at least 8 days"), ("a month", "a number of days")])
def test_too_few_days_kept_is_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch, value: str,
                                                         why: str) -> None:
    monkeypatch.setenv(KEEP_DAYS, value)
    with pytest.raises(PolicyError, match=f"{KEEP_DAYS}=.*{why}"):
        DeliveryPolicy.from_environment()


@pytest.mark.processes
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["notify"]])
def test_serve_and_notify_refuse_a_bad_setting_at_start(tmp_path: Path, command: list[str]) -> None:
    """``serve`` once started without webhooks or e-mail, saying so only in its log; both now refuse to start."""
    started = subprocess.run([*CLI, *command, "--store", f"sqlite:///{tmp_path / 'ledger.db'}", "--views",
                              str(tmp_path / "views.duckdb")], capture_output=True, text=True, timeout=60,
                             env={**os.environ, KEEP_DAYS: "7", "COLUMNS": "200"})
    assert started.returncode == 2, started.stderr
    assert f"{KEEP_DAYS}='7': at least 8 days" in " ".join(started.stderr.replace("│", " ").split())
