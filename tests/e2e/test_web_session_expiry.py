"""A session that has ended says so on the sign-in page, and signing in again returns to the page asked for.

An idle session (12 hours without a request) once landed on the sign-in page without a word, as if
the person had never signed in.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.service.ledger import Ledger
from domain.stores.sessions import sessions_in
from tests.support.browser import Served, sign_in
from web.sessions import COOKIE, IDLE_SECONDS, stored_key

pytestmark = pytest.mark.processes  # a server, a browser

EXPIRED = "Your session has expired; sign in again."


def idle_for_too_long(served: Served, cookie: str) -> None:
    """The session as the store holds it after 12 hours and a minute without a request."""
    ledger = Ledger.open(served.store)
    try:
        sessions_in(ledger.store).touch_session(stored_key(cookie), time.time() - IDLE_SECONDS - 60)
    finally:
        ledger.close()


def test_an_expired_session_is_told_so_and_signing_in_again_returns_to_the_page(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "lena")
    try:
        (cookie,) = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
        idle_for_too_long(served, cookie)
        page.goto(served.url("/teams/delivery?as_of=2026-03-01"))
        assert urlsplit(page.url).path == "/login"
        assert parse_qs(urlsplit(page.url).query)["next"] == ["/teams/delivery?as_of=2026-03-01"]
        assert page.get_by_role("status").inner_text() == EXPIRED
        page.get_by_label("Token").fill(served.tokens["lena"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(served.url("/teams/delivery?as_of=2026-03-01"))
        assert EXPIRED not in page.content()
    finally:
        context.close()


def test_a_first_visit_and_a_sign_out_say_nothing_of_expiry(browser: Any, served: Served) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(served.url("/teams/delivery"))
        assert urlsplit(page.url).path == "/login" and EXPIRED not in page.content()
    finally:
        context.close()
    context, page = sign_in(browser, served, "lena")
    try:
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(served.url("/login"))
        page.goto(served.url("/teams/delivery"))
        assert urlsplit(page.url).path == "/login" and EXPIRED not in page.content()
    finally:
        context.close()


def test_a_live_refresh_of_an_ended_session_neither_swallows_the_notice_nor_shows_the_sign_in_page_inside(
        browser: Any, served: Served) -> None:
    """The start page refetches its live parts by itself (on every event, and every few seconds): one landing
    after the session ended once deleted the cookie on its way to the sign-in page, so the person's next click
    was a plain sign-in that never said why."""
    context, page = sign_in(browser, served, "lena")
    try:
        (cookie,) = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
        idle_for_too_long(served, cookie)
        refetched = page.evaluate(
            "async () => { const r = await fetch('/attention', {credentials: 'same-origin', cache: 'no-store'});"
            " return [r.status, r.redirected]; }")
        assert refetched == [401, False]
        assert [c["value"] for c in context.cookies() if c["name"] == COOKIE] == [cookie]
        page.goto(served.url("/teams/delivery"))
        assert urlsplit(page.url).path == "/login"
        assert page.get_by_role("status").inner_text() == EXPIRED
    finally:
        context.close()
