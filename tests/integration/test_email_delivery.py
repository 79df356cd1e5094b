"""E-mail of signals (docs/brief.md §9) through a real SMTP server on loopback (aiosmtpd): each critical signal
once per person it concerns with an address (across two delivery loops on one store), never to a forgotten person,
no personal text; the daily digest at 07:00 UTC (time moved by the mailer's clock); a refusing server retried later;
a silent one holding no webhook up."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest

from domain.service.forget import forget_subject
from domain.service.ledger import Ledger
from domain.stores.mail_tables import mail_in
from notifications.email.mailer import Mailer, digest_day
from notifications.email.smtp import SmtpSettings, smtp_settings
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.endpoints import add_endpoint
from notifications.webhooks.policy import DeliveryPolicy
from notifications.webhooks.reading import signals_from
from notifications.webhooks.running import DeliveryLoop
from projections.signals.client_voice import client_voice_shifts
from projections.signals.complaint_overdue import overdue
from projections.signals.complaints import clocks
from projections.signals.model import Signal
from projections.signals.sources import Source
from projections.view_store import connect
from projections.views_file import ViewsFile, catch_up
from scripts.import_file import import_lines
from tests.support.cli import jsonl
from tests.support.mail_company import EMAILS, KITCHEN_TEXT, company
from tests.support.side_table_locks import held
from tests.support.smtp_server import Mailbox, silent_server, smtp_server
from tests.support.webhook_receiver import receiver
from tests.support.webhook_signals import history, rise

FAST = DeliveryPolicy(timeout=0.5, backoff=0.1, evaluate_every=0.2)
LINK = "https://ledger.example"
COMPLAINT = "Parcel late again"  # the complaints' text (tests.support.webhook_signals)


def critical(key: str = "p-shop", ago: timedelta = timedelta(hours=1)) -> Signal:
    raised = datetime.now(UTC).replace(tzinfo=None) - ago
    return Signal("promise_missed", "promise", key, "2026-11-01", "delivery", "shop", raised,
                  {"period_start": "2026-11-01", "value": 0.8, "target": 0.9}, f"/promises/{key}")


class World:
    def __init__(self, store_url: str, views: Path) -> None:
        self.ledger = Ledger.open(store_url)
        lines = [*company(), *history("shop"), *rise("shop")]
        assert import_lines(self.ledger, jsonl(lines).splitlines()).errors == []
        self.views = views
        self.extra: list[Signal] = []
        self.now = time.time()
        self.con: duckdb.DuckDBPyConnection | None = None
        self.refresh()

    def refresh(self) -> None:
        if self.con is not None:
            self.con.close()
        catch_up(self.ledger.store, self.views)
        self.con = connect(self.views)

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        assert self.con is not None
        yield self.con

    def mailer(self, smtp: SmtpSettings) -> Mailer:
        return Mailer(self.ledger.store, smtp, self.reading, public_url=LINK, policy=FAST, clock=lambda: self.now)

    def loop(self, smtp: SmtpSettings, sources: Sequence[Source] = ()) -> DeliveryLoop:
        sources = [*sources, client_voice_shifts, lambda con, as_of: list(self.extra)]
        return DeliveryLoop(self.ledger.store, signals_from(self.reading, sources), lambda: False, public_url=LINK,
                            policy=FAST, mail=self.mailer(smtp))

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
        self.ledger.close()


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    made = World(store_url, tmp_path / "views.duckdb")
    yield made
    made.close()


def settings(box: Mailbox | str, timeout: float = 2.0) -> SmtpSettings:
    found = smtp_settings(box.address if isinstance(box, Mailbox) else box, "ledger@example.com", timeout)
    assert found is not None
    return found


def run_until(loop: DeliveryLoop, done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        loop.wake.set()
        loop.step()
        loop.dispatch()
        time.sleep(0.02)
    assert done(), "delivery did not finish in time"


def settle(loop: DeliveryLoop, seconds: float = 0.6) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        loop.wake.set()
        loop.step()
        loop.dispatch()
        time.sleep(0.02)


def test_a_critical_signal_reaches_each_person_it_concerns_once(world: World) -> None:
    forget_subject(world.ledger, "person", "olga", "left the company", views=ViewsFile(world.ledger.store,
                                                                                     world.views))
    world.refresh()
    world.extra = [critical()]
    with smtp_server() as box:
        first, second = world.loop(settings(box)), world.loop(settings(box))  # two processes on one store
        try:
            run_until(first, lambda: len(critical_mail(box)) >= 3)
            settle(first)
            settle(second)
        finally:
            first.close()
            second.close()
    got = sorted(address for rcpt, _ in critical_mail(box) for address in rcpt)
    # the team's members with an address, the client's representative, the council; not max (no address), not
    # olga (forgotten), not kim (another team)
    assert got == ["cora@example.com", "lena@example.com", "rex@example.com"]
    message = next(m for rcpt, m in critical_mail(box) if rcpt == ["lena@example.com"])
    body = message.get_content()
    assert message["From"] == "ledger@example.com"
    assert str(message["Subject"]).strip().startswith("[critical] Promise missed")
    assert f"{LINK}/promises/p-shop" in body and "value=0.8" in body
    for text in (COMPLAINT, "Fullname", "Shop Owner"):
        assert text not in body and text not in message["Subject"]
    states = {row.person: row.state for row in mail_in(world.ledger.store).rows() if row.about == critical().id}
    assert states == {"cora": "sent", "lena": "sent", "rex": "sent"}


def test_an_overdue_complaint_is_mailed_without_its_text(world: World) -> None:
    with smtp_server() as box:
        loop = world.loop(settings(box), [lambda con, as_of: overdue(clocks(con, as_of), as_of)])
        try:
            run_until(loop, lambda: len(critical_mail(box)) >= 3)
            settle(loop)
        finally:
            loop.close()
    # the kitchen's member, the client's representative, the council
    assert sorted(a for rcpt, _ in critical_mail(box) for a in rcpt) == ["cora@example.com", "kim@example.com",
                                                                          "rex@example.com"]
    message = next(m for rcpt, m in critical_mail(box) if rcpt == ["kim@example.com"])
    body = message.get_content()
    assert str(message["Subject"]).strip().startswith("[critical] Complaint overdue")
    assert f"{LINK}/" in body and "deadline=response" in body
    assert KITCHEN_TEXT not in body and KITCHEN_TEXT not in str(message["Subject"])


def test_the_digest_lists_the_days_warnings_at_seven(world: World) -> None:
    assert world.con is not None
    shifts = client_voice_shifts(world.con, datetime.now(UTC).replace(tzinfo=None))  # the team's and the client's
    shift = next(s for s in shifts if s.team == "delivery")
    seven = digest_day(shift.raised_at.replace(tzinfo=UTC).timestamp() + 86400)  # the first 07:00 after it
    with smtp_server() as box:
        mailer = world.mailer(settings(box))
        try:
            signals = [*shifts, critical()]
            world.now = seven.replace(tzinfo=UTC).timestamp() - 60  # 06:59: the day's digest is not yet due
            mailer.evaluate(signals)
            assert not any(r.about.startswith("digest:") and r.about.endswith(f"{seven:%Y-%m-%d}")
                           for r in mail_in(world.ledger.store).rows())
            world.now += 60  # 07:00
            mailer.evaluate(signals)
            mailer.evaluate(signals)  # twice: one digest each
            while mailer.dispatch() or mailer.in_flight():
                time.sleep(0.02)
        finally:
            mailer.close()
    digests = [(rcpt, m) for rcpt, m in box.received if str(m["Subject"]).startswith("Daily digest")]
    # the kitchen's complaint of a day ago is in the client's last complete week on a Monday: kim is concerned then
    kitchen = ["kim@example.com"] if any("kitchen" in s.audience_teams for s in shifts) else []
    assert sorted(a for rcpt, _ in digests for a in rcpt) == sorted([
        "cora@example.com", "lena@example.com", "olga@example.com", "rex@example.com", *kitchen])
    lena = next(m for rcpt, m in digests if "lena@example.com" in rcpt).get_content()
    assert "[warning] Client voice shifted" in lena and f"{LINK}/" in lena and "Promise missed" not in lena
    assert COMPLAINT not in lena and "Fullname" not in lena


def test_a_refusing_server_is_tried_again_later_and_a_person_forgotten_meanwhile_gets_nothing(world: World) -> None:
    world.extra = [critical()]
    with smtp_server() as box:
        box.refuse = True
        mailer = world.mailer(settings(box))
        try:
            mailer.evaluate(world.extra)
            mailer.dispatch()
            while mailer.in_flight():
                time.sleep(0.02)
            rows = [r for r in mail_in(world.ledger.store).rows() if r.about == critical().id]
            assert {r.state for r in rows} == {"pending"} and all(r.attempts == 1 for r in rows)
            assert all("451" in (r.last_error or "") and r.next_at > world.now for r in rows)
            assert mailer.dispatch() == 0  # not due yet
            forget_subject(world.ledger, "person", "olga", "left", views=ViewsFile(world.ledger.store, world.views))
            world.refresh()  # forgotten after her message was added: the address is looked up when it is sent
            box.refuse = False
            world.now += 3600
            mailer.dispatch()
            while mailer.in_flight():
                time.sleep(0.02)
        finally:
            mailer.close()
    assert sorted(a for rcpt, _ in critical_mail(box) for a in rcpt) == [
        "cora@example.com", "lena@example.com", "rex@example.com"]
    olga = next(r for r in mail_in(world.ledger.store).rows() if r.person == "olga")
    assert olga.state == "skipped" and EMAILS["olga"] not in repr(olga)  # the row holds her key, never an address


def test_a_silent_smtp_server_holds_no_webhook_up(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")
    with silent_server() as silent, receiver() as got:
        got.secret = add_endpoint(world.ledger.store, got.url)[1]
        world.extra = [critical(ago=timedelta(0))]  # raised after the endpoint was added: it is delivered
        loop = world.loop(replace(settings(silent), timeout=5.0))
        try:
            started = time.monotonic()
            run_until(loop, lambda: any(r.verified for r in got.received), timeout=4.0)
            assert time.monotonic() - started < 4.0
            assert loop.mail is not None and loop.mail.in_flight()  # the e-mail is still waiting for its server
        finally:
            loop.close()


def critical_mail(box: Mailbox) -> list[tuple[list[str], EmailMessage]]:
    """The critical messages only: the day's digest comes beside them after 07:00 UTC on a day whose warnings
    include the client-voice shift of ``webhook_signals`` (raised at this week's Monday 00:00), which made the
    tests of critical mail fail every Monday from 07:00. A subject longer than a header line is folded: it then
    starts with a space."""
    return [(rcpt, m) for rcpt, m in box.received if str(m["Subject"]).strip().startswith("[critical]")]


def test_a_first_start_mails_only_what_was_raised_in_the_last_seven_days(world: World) -> None:
    """As the webhooks: a deliverer that starts for the first time (or after a long stop) does not mail the old
    critical signals still on record, only those raised within the 7 days before."""
    world.extra = [critical("p-year", ago=timedelta(days=365)), critical("p-eight", ago=timedelta(days=8)),
                   critical("p-two", ago=timedelta(days=2))]
    with smtp_server() as box:
        loop = world.loop(settings(box))
        try:
            run_until(loop, lambda: len(critical_mail(box)) >= 4)
            settle(loop)
        finally:
            loop.close()
    assert sorted(a for rcpt, _ in critical_mail(box) for a in rcpt) == [
        "cora@example.com", "lena@example.com", "olga@example.com", "rex@example.com"]
    assert all("p-two" in str(m["Subject"]) for _, m in critical_mail(box))
    mailed = {r.about for r in mail_in(world.ledger.store).rows() if not r.about.startswith("digest:")}
    assert mailed == {critical("p-two").id}


def test_a_batch_answered_after_a_stop_writes_nothing_to_the_closed_store(
        world: World, store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A stop while a batch waits for a slow server: the owner closes the store once ``close`` returns, and the
    batch's late answer must not write to it (it did: an error logged, or on SQLite a crash of the process in the
    next test). Its messages stay pending, claimed once, and are sent again after their lease."""
    world.extra = [critical()]
    with silent_server() as silent:
        mailer = world.mailer(settings(silent, timeout=1.0))
        mailer.evaluate(world.extra)
        assert mailer.dispatch() > 0 and mailer.in_flight()
        mailer.close(grace=0.1)
        world.ledger.close()
        with caplog.at_level("INFO", logger="notifications.email.mailer"):
            deadline = time.monotonic() + 10
            while mailer.in_flight() and time.monotonic() < deadline:
                time.sleep(0.02)
    assert not mailer.in_flight()
    assert "answered after the mailer stopped" in caplog.text and "batch failed" not in caplog.text
    reopened = Ledger.open(store_url)
    try:
        rows = [r for r in mail_in(reopened.store).rows() if r.about == critical().id]
        assert rows and {(r.state, r.attempts, r.last_error) for r in rows} == {("pending", 1, None)}
    finally:
        reopened.close()


def test_a_stop_leaves_the_store_to_an_outcome_waiting_for_a_lock(world: World, store_url: str) -> None:
    """A stop while a batch's outcome waits for another process's lock: ``close`` returns within its grace, saying
    the store must stay open (it waited for the lock's whole bound, 30 s by default, holding ``notify`` up)."""
    world.extra = [critical()]
    with silent_server() as silent:
        mailer = world.mailer(settings(silent, timeout=1.0))
        mailer.evaluate(world.extra)
        assert mailer.dispatch() > 0  # claimed: the silent server answers after 1 s
        with held(store_url, "mail_deliveries"):
            deadline = time.monotonic() + 10
            while not mailer.recording.locked() and time.monotonic() < deadline:  # the outcome's write waits
                time.sleep(0.02)
            assert mailer.recording.locked()
            started = time.monotonic()
            assert mailer.close(grace=0.1) is False
            assert time.monotonic() - started < 2.0  # 0.3 s here; the lock's bound is 30 s
        deadline = time.monotonic() + 10  # the lock went: the write under way ends, on the store left open
        while mailer.in_flight() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not mailer.in_flight()
        assert mailer.close(grace=0.1) is True
    rows = [r for r in mail_in(world.ledger.store).rows() if r.about == critical().id]
    assert len(rows) > 1 and {(r.state, r.attempts) for r in rows} == {("pending", 1)}
    written = [r for r in rows if r.last_error]  # the write under way at the stop; the other one never began
    assert len(written) == 1 and written[0].lease_until == 0, rows
