"""Browser sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie, state kept on the server.

The cookie holds nothing but a random session id. The token the person signed in with stays in
this process's memory only (never in a cookie, a log or a file), and is checked again on every
request, so a revoked or expired token ends its sessions at once. Each session has its own CSRF
token, which every form carries and every post must return.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

COOKIE = "clientocracy_session"
LOGIN_CSRF_COOKIE = "clientocracy_login_csrf"
IDLE_SECONDS = 12 * 3600


@dataclass
class Session:
    id: str
    token: str = field(repr=False)
    person: str
    csrf: str
    last_seen: float


class Sessions:
    """The signed-in browsers of one server process (a restart signs everybody out)."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self._items: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.idle_seconds = idle_seconds

    def open(self, token: str, person: str) -> Session:
        session = Session(secrets.token_urlsafe(32), token, person, secrets.token_urlsafe(32), time.monotonic())
        with self._lock:
            self._expire()
            self._items[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._items.get(session_id)
            if session is None:
                return None
            if time.monotonic() - session.last_seen > self.idle_seconds:
                del self._items[session_id]
                return None
            session.last_seen = time.monotonic()
            return session

    def close(self, session_id: str | None) -> None:
        with self._lock:
            self._items.pop(session_id or "", None)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, s in self._items.items() if now - s.last_seen > self.idle_seconds]:
            del self._items[key]


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token on either side is never a match."""
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))
