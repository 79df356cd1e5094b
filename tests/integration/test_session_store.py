"""The sessions table beside each store's own (``domain.stores.sessions``): one row per session, by the
hash the web layer gives it, shared by every ledger on the store; deleting works one by one and by age."""

from __future__ import annotations

from domain.service.ledger import Ledger
from domain.stores.sessions import SessionRow, sessions_in


def test_sessions_are_rows_every_opener_of_the_store_shares(any_store_url: str) -> None:
    first, second = Ledger.open(any_store_url), Ledger.open(any_store_url)
    try:
        table, other = sessions_in(first.store), sessions_in(second.store)
        table.put_session("a" * 64, SessionRow("lena", "tok1", 100.0))
        table.put_session("b" * 64, SessionRow("max", "tok2", 200.0))
        assert other.session("a" * 64) == SessionRow("lena", "tok1", 100.0)
        other.touch_session("a" * 64, 300.0)
        assert table.session("a" * 64) == SessionRow("lena", "tok1", 300.0)
        table.delete_sessions_before(250.0)  # expiry: b was last seen at 200
        assert other.session("b" * 64) is None and other.session("a" * 64) is not None
        other.delete_session("a" * 64)  # sign-out
        assert table.session("a" * 64) is None
        assert sessions_in(first.store).session("a" * 64) is None  # opening the table again keeps it
        assert first.store.max_notification_id() in (None, 0)  # sessions are no events
    finally:
        first.close()
        second.close()
