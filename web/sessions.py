"""Browser sessions: an opaque random value in an HttpOnly, SameSite=Strict cookie, the rest in the store.

The cookie holds nothing but a random value. The store's sessions table (``domain.stores.sessions``)
keeps only its SHA-256, with the person and the id of the token they signed in with (never the
token), so a session survives a restart and every server on the same store knows it. The token is
checked again on every request (``Workspace.authenticate_session``), so a revoked or expired token
ends its sessions at once. Each session's CSRF token is derived from the cookie's value (an HMAC):
every form carries it, every post must return it, and the stored hash does not reveal it.

A request touches its session (its last-seen time) at most every ``TOUCH_SECONDS``, waiting a fifth of a second
at most for the store's lock: while another process holds SQLite's write lock the touch is skipped in one line
of the log, not waited for up to the busy timeout. The touch is what keeps the session alive, so a skip is not
remembered: the session's next request tries again (and may wait that fifth of a second again). A session can
then expire early only by the time since its last written touch, if every touch failed until the browser left.
An expired session is answered as none without a write: its row goes when someone next signs in (``open``), so a
browser back after a night is sent to sign in at once, also while another process holds the lock.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field

from domain.stores.lock_wait import LockWaitTimeout
from domain.stores.sessions import SessionRow, SessionStore

log = logging.getLogger(__name__)

COOKIE = "clientocracy_session"
LOGIN_CSRF_COOKIE = "clientocracy_login_csrf"
IDLE_SECONDS = 12 * 3600
TOUCH_SECONDS = 60.0
"""A session's last-seen time is written at most this often (not on every request)."""


@dataclass
class Session:
    id: str = field(repr=False)  # the cookie's value: in this request's memory only
    person: str
    token_id: str
    csrf: str = field(repr=False)

    @property
    def key(self) -> str:
        return stored_key(self.id)


def stored_key(cookie: str) -> str:
    """What the store keeps of a session id: its SHA-256."""
    return hashlib.sha256(cookie.encode()).hexdigest()


def csrf_of(cookie: str) -> str:
    return hmac.new(cookie.encode(), b"clientocracy csrf", hashlib.sha256).hexdigest()


class Sessions:
    """The signed-in browsers of every server on one store."""

    def __init__(self, store: SessionStore, idle_seconds: float = IDLE_SECONDS) -> None:
        self.store = store
        self.idle_seconds = idle_seconds

    def open(self, token_id: str, person: str) -> Session:
        now = time.time()
        self.store.delete_sessions_before(now - self.idle_seconds)  # expired ones go
        cookie = secrets.token_urlsafe(32)
        self.store.put_session(stored_key(cookie), SessionRow(person, token_id, now))
        return Session(cookie, person, token_id, csrf_of(cookie))

    def get(self, cookie: str | None) -> Session | None:
        if not cookie or len(cookie) > 200:
            return None
        key = stored_key(cookie)
        row = self.store.session(key)
        if row is None:
            return None
        now = time.time()
        if now - row.last_seen > self.idle_seconds:  # its row goes at the next sign-in (``open``), not in a read
            return None
        if now - row.last_seen > TOUCH_SECONDS:
            try:
                self.store.touch_session(key, now)
            except LockWaitTimeout as error:  # the store is busy: the next request tries again (see above)
                log.warning("a session's last-seen time not written (its next request tries again): %s", error)
        return Session(cookie, row.person, row.token_id, csrf_of(cookie))

    def alive(self, cookie: str) -> bool:
        """Whether the session is still there (not signed out, not expired), without touching it."""
        row = self.store.session(stored_key(cookie))
        return row is not None and time.time() - row.last_seen <= self.idle_seconds

    def close(self, cookie: str | None) -> None:
        if cookie:
            self.store.delete_session(stored_key(cookie))


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token on either side is never a match."""
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))
