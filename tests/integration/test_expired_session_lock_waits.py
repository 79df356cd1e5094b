"""A browser whose session expired, while another session holds the store's lock (SQLite: the write lock;
PostgreSQL: the session's row): its request is answered at once as signed out. Reading the session deleted the
expired row there and then, a write that waited out the lock's bound (5 s by default) and then failed the request,
where the browser should have been sent to sign in again. The next sign-in sweeps expired rows away."""

from __future__ import annotations

import time

from domain.stores.port import LedgerStore
from domain.stores.sessions import sessions_in
from tests.support.side_table_locks import PROMPT, held
from web.sessions import IDLE_SECONDS, Sessions


def test_an_expired_session_is_signed_out_at_once_behind_a_held_lock(bounded_store: LedgerStore,
                                                                     store_url: str) -> None:
    rows = sessions_in(bounded_store)
    sessions = Sessions(rows)
    expired, fresh = sessions.open("t1", "lena"), sessions.open("t2", "otto")
    rows.touch_session(expired.key, time.time() - IDLE_SECONDS - 60)
    with held(store_url, "web_sessions"):
        started = time.monotonic()
        assert sessions.get(expired.id) is None
        took = time.monotonic() - started
    assert took < PROMPT, f"reading an expired session took {took:.2f} s behind a held lock"
    assert not sessions.alive(expired.id) and sessions.alive(fresh.id)
    sessions.open("t3", "cora")  # a sign-in sweeps the expired rows away
    assert rows.session(expired.key) is None and rows.session(fresh.key) is not None
