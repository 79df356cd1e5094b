"""Delivery counts a signal's 7 days from when it appeared, not from its business ``raised_at``: a signal that a
backdated reading, complaint or observation raises weeks back, appearing now, is sent (webhooks and e-mail); one
already 8 days old when delivery first starts is not; a restart sends nothing again. The appearance tables on the
three stores: the first writer wins (two processes racing on one store agree), rounds never move back, old rows go.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.stores.appearance_tables import WHOLE, AppearanceRow, appearances_in
from domain.stores.common import opened_recorder
from domain.stores.webhook_tables import webhooks_in
from notifications.webhooks.addresses import ALLOW_PRIVATE
from notifications.webhooks.appearing import HORIZON_SECONDS
from notifications.webhooks.listing import deliveries
from tests.integration.test_email_delivery import World as MailWorld
from tests.integration.test_email_delivery import critical, critical_mail, run_until, settings, settle
from tests.integration.test_webhook_delivery import World, signal
from tests.support.smtp_server import smtp_server
from tests.support.webhook_receiver import Receiver, parsed, receiver

DAY = 86400.0


@pytest.fixture(autouse=True)
def _private_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


def test_the_first_appearance_is_kept_and_rounds_only_move_forward(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store:
        table = appearances_in(store)
        assert table.last_round() is None and table.appeared(["a"]) == {}
        a, b = AppearanceRow("a", 100.0, 150.0), AppearanceRow("b", 90.0, 90.0)
        assert table.record([a, b], 200.0) == {"a": a, "b": b}
        assert table.record([AppearanceRow("a", 100.0, 300.0)], 150.0) == {"a": a}  # the first writer's
        assert table.last_round() == 200.0  # an earlier round does not move it back
        table.record([], 250.0)
        assert table.last_round() == 250.0
        assert appearances_in(store).appeared(["a", "b", "c"]) == {"a": a, "b": b}
        assert table.forget_raised_before(95.0) == 1
        assert table.appeared(["a", "b"]) == {"a": a}


def test_a_later_raised_at_moves_the_row_so_it_is_kept_but_never_its_appearance(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store:
        table = appearances_in(store)
        table.record([AppearanceRow("a", 100.0, 150.0), AppearanceRow("b", 100.0, 150.0)], 200.0)
        moved = AppearanceRow("a", 130.0, 150.0)
        assert table.record([AppearanceRow("a", 130.0, 400.0), AppearanceRow("b", 90.0, 400.0)], 300.0) == {
            "a": moved, "b": AppearanceRow("b", 100.0, 150.0)}  # later moves it, earlier does not
        assert table.forget_raised_before(120.0) == 1
        assert appearances_in(store).appeared(["a", "b"]) == {"a": moved}


def test_a_first_round_of_many_signals_reads_back_what_was_recorded(any_store_url: str) -> None:
    """Past ``WHOLE`` signals asked for, the table is read whole: the same answer as the look-ups."""
    with opened_recorder(any_store_url) as store:
        table = appearances_in(store)
        rows = [AppearanceRow(f"s{i}", float(i), float(i) + 0.5) for i in range(WHOLE + 100)]
        table.record(rows[:-1], 1.0)  # the last one is never recorded
        ids = [row.signal_id for row in rows]
        expected = {row.signal_id: row for row in rows[:-1]}
        assert table.record(rows, 2.0) == {**expected, rows[-1].signal_id: rows[-1]}
        assert table.appeared(ids[:-1]) == expected
        assert table.appeared(ids[-10:]) == {row.signal_id: row for row in rows[-10:]}


def test_two_processes_recording_one_signal_at_once_agree(store_url: str) -> None:
    with opened_recorder(store_url) as first, opened_recorder(store_url) as second:
        tables = [appearances_in(first), appearances_in(second)]
        start = threading.Barrier(2)
        got: list[dict[str, AppearanceRow]] = [{}, {}]

        def record(n: int) -> None:
            start.wait()
            rows = [AppearanceRow(f"s{i}", 10.0, 1000.0 + n) for i in range(300)]
            got[n] = tables[n].record(rows, 2000.0 + n)

        threads = [threading.Thread(target=record, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert got[0] == got[1] and len(got[0]) == 300 and {r.appeared_at for r in got[0].values()} <= {1000.0, 1001.0}
        assert tables[0].last_round() == 2001.0


def test_two_processes_moving_the_same_rows_in_opposite_orders_both_finish(store_url: str) -> None:
    """Moving a row's ``raised_at`` locks it until the round's transaction ends: in any order two rounds lock
    their rows in one order (by id), or each could wait for the other's rows forever (a deadlock error)."""
    with opened_recorder(store_url) as first, opened_recorder(store_url) as second:
        tables = [appearances_in(first), appearances_in(second)]
        ids = [f"s{i:05d}" for i in range(4 * 500)]
        tables[0].record([AppearanceRow(i, 10.0, 10.0) for i in ids], 20.0)
        errors: list[BaseException] = []
        for moved in (11.0, 12.0, 13.0, 14.0, 15.0):
            start = threading.Barrier(2)

            def record(n: int, moved: float = moved, start: threading.Barrier = start) -> None:
                rows = [AppearanceRow(i, moved + n / 2, 10.0) for i in (ids if n == 0 else ids[::-1])]
                start.wait()
                try:
                    tables[n].record(rows, 30.0)
                except Exception as error:
                    errors.append(error)

            threads = [threading.Thread(target=record, args=(n,)) for n in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert errors == []
        assert {row.raised_at for row in tables[0].appeared(ids).values()} == {15.5}


def received_keys(got: Receiver) -> list[str]:
    return sorted(parsed(r)["data"]["subject"]["key"] for r in got.received)


def test_a_backdated_signal_appearing_now_is_delivered_once_and_not_again_after_a_restart(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store, receiver() as got:
        world = World(store)
        world.add(got)
        world.signals = [signal("old", ago=timedelta(days=8))]  # on record before: not news
        world.run_until(lambda: all(e.primed for e in webhooks_in(store).endpoints()))
        backdated = signal("guardrail", ago=timedelta(days=30), kind="experiment_guardrail_harmed")
        history = signal("history", ago=timedelta(seconds=HORIZON_SECONDS + DAY))  # an import of old history
        world.signals = [*world.signals, backdated, history]
        world.run_until(lambda: len(got.received) == 1)
        assert received_keys(got) == ["guardrail"]
        restarted = World(store)  # a new process: nothing in memory, the same tables
        restarted.signals = world.signals
        for _ in range(5):
            restarted.again()
            time.sleep(0.05)
        assert received_keys(got) == ["guardrail"]
        assert [d["signal_id"] for d in deliveries(store, 10)] == [backdated.id]


def test_a_signal_eight_days_old_when_delivery_first_starts_is_not_delivered(any_store_url: str) -> None:
    """An endpoint added ten days ago while no delivery ran: its backlog rule would let both signals through,
    so only their appearance (their ``raised_at``, as no round ran before) decides; a restart changes nothing."""
    with opened_recorder(any_store_url) as store, receiver() as got:
        world = World(store)
        world.add(got)
        tables = webhooks_in(store)
        added = tables.endpoints()[0]
        tables.set_endpoint_state(added.id, "removed", None)
        tables.add_endpoint(added._replace(id=added.id + "-early", created_at=time.time() - 10 * DAY))
        world.signals = [signal("eight", ago=timedelta(days=8)), signal("two", ago=timedelta(days=2))]
        world.run_until(lambda: len(got.received) == 1)
        restarted = World(store)
        restarted.signals = world.signals
        for _ in range(5):
            restarted.again()
            time.sleep(0.05)
        assert received_keys(got) == ["two"]


def test_a_new_endpoint_gets_a_backdated_signal_that_appears_after_it_was_added(any_store_url: str) -> None:
    with opened_recorder(any_store_url) as store, receiver() as got:
        world = World(store)
        world.signals = [signal("before", ago=timedelta(days=3))]
        world.add(got)
        world.run_until(lambda: all(e.primed for e in webhooks_in(store).endpoints()))
        world.signals = [*world.signals, signal("late", ago=timedelta(days=40))]
        world.run_until(lambda: len(got.received) == 1)
        world.again()
        assert received_keys(got) == ["late"]


@pytest.fixture
def mail_world(store_url: str, tmp_path: Path) -> Iterator[MailWorld]:
    made = MailWorld(store_url, tmp_path / "views.duckdb")
    yield made
    made.close()


def test_a_critical_signal_raised_thirty_days_back_but_appearing_now_is_mailed_once(mail_world: MailWorld) -> None:
    with smtp_server() as box:
        loop = mail_world.loop(settings(box))
        try:
            settle(loop, 0.3)  # a round without it
            mail_world.extra = [critical("p-late", ago=timedelta(days=30))]
            run_until(loop, lambda: len(critical_mail(box)) >= 4)
        finally:
            loop.close()
        again = mail_world.loop(settings(box))  # a restart mails nothing again
        try:
            settle(again)
        finally:
            again.close()
    assert sorted(a for rcpt, _ in critical_mail(box) for a in rcpt) == [
        "cora@example.com", "lena@example.com", "olga@example.com", "rex@example.com"]
    assert all("p-late" in str(m["Subject"]) for _, m in critical_mail(box))
