"""Sign-in, sessions and forms of the web workspace over plain HTTP against the real server: cookie
flags, CSRF on every post, token scopes, revocation ending a session at once, errors as pages."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.support.browser import Served
from tests.support.cli import run_cli
from tests.support.web_company import complaint

# Sessions, cookies and forms do not depend on the store kind: SQLite only (the browser tests run on both).
pytestmark = pytest.mark.parametrize("served", ["sqlite"], indirect=True)

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _client(served: Served) -> httpx.Client:
    return httpx.Client(base_url=served.base_url, follow_redirects=False, timeout=30)


def _sign_in(client: httpx.Client, token: str) -> httpx.Response:
    form = client.get("/login")
    found = CSRF.search(form.text)
    assert found, form.text
    return client.post("/login", data={"token": token, "csrf_token": found.group(1), "next": "/"})


def _new_token(served: Served, person: str, scope: str = "write") -> tuple[str, str]:
    from domain.service.ledger import Ledger
    from domain.service.tokens import issue_token

    ledger = Ledger.open(served.store)
    try:
        issued: Any = issue_token(ledger, person, scope)
    finally:
        ledger.close()
    return issued.token_id, issued.token


def test_pages_ask_for_a_sign_in_and_the_cookie_is_opaque_httponly_and_strict(served: Served) -> None:
    with _client(served) as client:
        first = client.get("/teams/delivery?as_of=2026-01-15")
        assert first.status_code == 303
        assert first.headers["location"] == "/login?next=%2Fteams%2Fdelivery%3Fas_of%3D2026-01-15"
        login = client.get("/login")
        assert '<label for="token"><strong>Token</strong></label>' in login.text
        signed = _sign_in(client, served.tokens["lena"])
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = next(c for c in signed.headers.get_list("set-cookie") if c.startswith("clientocracy_session="))
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert served.tokens["lena"] not in cookie and served.tokens["lena"].split("_")[1] not in cookie
        home = client.get("/")
        assert home.status_code == 200 and "Lena Lead" in home.text
        assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
        assert home.headers["x-frame-options"] == "DENY"


def test_a_bad_token_or_a_sign_in_without_its_csrf_token_opens_no_session(served: Served) -> None:
    with _client(served) as client:
        wrong = _sign_in(client, "clo_0000000000000000_" + "x" * 43)
        assert wrong.status_code == 401 and "That token cannot sign in" in wrong.text
        forged = client.post("/login", data={"token": served.tokens["lena"]})
        assert forged.status_code == 403
        assert not any(c.startswith("clientocracy_session=") for c in forged.headers.get_list("set-cookie"))
        assert client.get("/").status_code == 303


def test_an_ingest_token_cannot_sign_in_and_a_read_token_sees_no_actions(served: Served) -> None:
    with _client(served) as client:
        ingest = _sign_in(client, served.tokens["feeder"])
        assert ingest.status_code == 403 and "may only post feedback" in ingest.text
    _, read_token = _new_token(served, "lena", "read")
    with _client(served) as client:
        assert _sign_in(client, read_token).status_code == 303
        home = client.get("/").text
        assert "This session reads only" in home and "Nothing awaits your answer" not in home
        page = client.get("/promises/p-kitchen-ready")
        assert page.status_code == 200 and "<form class=\"action\"" not in page.text
        csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        refused = client.post("/promises/p-kitchen-ready/retire", data={"csrf_token": csrf, "reason": "read only"})
        assert refused.status_code == 403 and "scope: a read token may only read" in refused.text


def test_revoking_the_token_ends_its_session_at_once(served: Served) -> None:
    token_id, token = _new_token(served, "max")
    with _client(served) as client:
        assert _sign_in(client, token).status_code == 303
        assert client.get("/teams/delivery").status_code == 200
        run_cli("token", "revoke", token_id, store=served.store, check=True)
        after = client.get("/teams/delivery")
        assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_sign_out_needs_the_csrf_token_and_then_ends_the_session(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["kim"])
        home = client.get("/")
        assert client.post("/logout", data={}).status_code == 403
        assert client.get("/").status_code == 200
        out = client.post("/logout", data={"csrf_token": CSRF.search(home.text).group(1)})  # type: ignore[union-attr]
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert client.get("/").status_code == 303


def test_the_session_cookie_reads_the_api_but_never_writes_through_it(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["lena"])
        assert client.get("/api/teams/delivery").status_code == 200
        write = client.post("/api/commands", json={"type": "RecordFeedback", "feedback_id": "fb-cookie",
                                                   "client": "households", "kind": "praise", "channel": "web",
                                                   "text": "nice", "occurred_at": "2026-03-01T00:00:00Z"})
        assert write.status_code == 401


def test_unknown_keys_and_bad_dates_are_pages_not_tracebacks(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["lena"])
        for path, status, text in [("/teams/nope", 404, "There is no team &#39;nope&#39;"),
                                   ("/promises/p-kitchen-ready?as_of=2025-01-01", 404, "as of 2025-01-01"),
                                   ("/experiments/nope", 404, "There is no experiment"),
                                   ("/teams/delivery?as_of=yesterday", 400, "is not a date")]:
            answer = client.get(path)
            assert answer.status_code == status and text in answer.text, (path, answer.text[:300])
            assert "Traceback" not in answer.text and answer.headers["content-type"].startswith("text/html")


def test_a_broken_invariant_is_shown_next_to_its_form(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["max"])
        page = client.get("/teams/delivery")
        csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        again = client.post("/teams/delivery/propose", data={
            "csrf_token": csrf, "promise": "p-kitchen-ready", "promisee": "kitchen", "statement": "twice",
            "metric": "ready-pct", "target": "90", "period": "week"})
        assert again.status_code == 422 and "Traceback" not in again.text
        form_start = again.text.index('id="propose"')
        error = again.text.index('class="error"', form_start)
        assert error < again.text.index("</form>", form_start)  # inside the form it belongs to
        assert "p-kitchen-ready" in again.text[error:error + 400]
        not_a_number = client.post("/promises/p-kitchen-ready/amend", data={
            "csrf_token": csrf, "target": "lots", "reason": "why not"})
        assert not_a_number.status_code == 422 and "must be a number" in not_a_number.text


def test_the_council_sees_the_verify_status_and_chain_head_on_the_audit_page(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["cora"])
        audit = client.get("/audit?promise=p-kitchen-ready")
        assert audit.status_code == 200 and "The event log is intact" in audit.text
        verified = run_cli("verify", "--json", store=served.store, check=True).stdout
        assert json.loads(verified)["head"] in audit.text
        assert "ProposePromise" not in audit.text and "Proposed" in audit.text and "kim" in audit.text
    with _client(served) as client:
        _sign_in(client, served.tokens["lena"])
        assert "The event log is intact" not in client.get("/audit").text


def test_a_member_resolves_a_complaint_from_the_team_page_and_an_outsider_cannot(served: Served) -> None:
    assert served.api("POST", "/api/feedback", "feeder", complaint("fb-to-resolve", "Box was torn"))[0] == 202
    before = served.api("GET", "/api/teams/delivery", "cora")[1]
    count = before.get("open_complaints_count", len(before["open_complaints"]))
    with _client(served) as client:
        _sign_in(client, served.tokens["olga"])  # bakery: not the team concerned
        page = client.get("/teams/delivery")
        assert "/complaints/resolve" not in page.text
        forged = client.post("/teams/delivery/complaints/resolve", data={
            "csrf_token": CSRF.search(page.text).group(1), "feedback_id": "fb-to-resolve",  # type: ignore[union-attr]
            "resolution": "not mine"})
        assert forged.status_code == 403 and "ResolveFeedback" in forged.text
    with _client(served) as client:
        _sign_in(client, served.tokens["lena"])
        page = client.get("/teams/delivery")
        assert page.text.count('action="/teams/delivery/complaints/resolve"') == count
        done = client.post("/teams/delivery/complaints/resolve", data={
            "csrf_token": CSRF.search(page.text).group(1), "feedback_id": "fb-to-resolve",  # type: ignore[union-attr]
            "resolution": "Replaced the box and refunded"})
        assert done.status_code == 303 and done.headers["location"] == "/teams/delivery#complaints"
        assert f"Open complaints ({count - 1})" in client.get("/teams/delivery").text
    audit = served.api("GET", "/api/audit?actor=lena", "cora")[1]["events"]
    assert [(e["event"], e["channel"]) for e in audit if e["key"] == "fb-to-resolve"] == [("Resolved", "web")]


def test_agreeing_without_the_required_authority_is_refused_next_to_the_agree_button(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["kim"])  # the promisee side: may agree, but delivery lacks the authority
        page = client.get("/promises/p-night-runs")
        assert ">Agree</button>" in page.text and "night-driving" in page.text
        refused = client.post("/promises/p-night-runs/agree",
                              data={"csrf_token": CSRF.search(page.text).group(1)})  # type: ignore[union-attr]
        assert refused.status_code == 403 and "Traceback" not in refused.text
        assert 'method="get" action="/promises/p-night-runs">' in refused.text  # the as-of picker still shows the page
        form = refused.text[refused.text.index('method="post" action="/promises/p-night-runs/agree"'):]
        form = form[:form.index("</form>")]
        assert 'class="error"' in form and "night-driving" in form
    assert served.api("GET", "/api/promises/p-night-runs", "cora")[1]["status"] == "proposed"


def test_experiment_and_retrospective_pages_show_the_numbers_and_the_reports_charts(served: Served) -> None:
    with _client(served) as client:
        _sign_in(client, served.tokens["lena"])
        experiment = client.get("/experiments/exp-hot-boxes")
        assert experiment.status_code == 200
        api = served.api("GET", "/api/experiments/exp-hot-boxes", "cora")[1]
        assert f"95% CI [{api['ci_low']:.2f}, {api['ci_high']:.2f}], lift {api['lift']:+.1%}" in experiment.text
        assert "plain Welch t-test, unadjusted" in experiment.text  # §4's numbers, labelled beneath the lead
        assert "adopt" in experiment.text and 'href="/promises/p-kitchen-ready"' in experiment.text
        assert 'href="/teams/delivery"' in experiment.text and "<svg" in experiment.text
        assert "exp-hot-boxes: lift against control by arm and metric" in experiment.text  # each comparison drawn
        retro = client.get("/retro?team=delivery&from=2026-01-01&to=2026-02-28")
        assert retro.status_code == 200
        for text in ("How agreements changed", "Compliance of p-kitchen-ready", "Complaints per week",
                     "Economics by period", "exp-hot-boxes"):
            assert text in retro.text, text
        assert retro.text.count("<svg") >= 3
        assert "revenue 2026-02: 14,000.00" in retro.text  # the economics bars, drawn by projections.rendering.charts
        team = client.get("/teams/delivery")
        assert 'href="/experiments/exp-hot-boxes"' in team.text and 'href="/retro?team=delivery"' in team.text


def test_sign_in_never_redirects_off_the_site(served: Served) -> None:
    for target in ("//evil.example/x", "/\t/evil.example", "/\\evil.example", "https://evil.example/"):
        with _client(served) as client:
            form = client.get("/login", params={"next": target})
            csrf = CSRF.search(form.text).group(1)  # type: ignore[union-attr]
            signed = client.post("/login", data={"token": served.tokens["lena"], "csrf_token": csrf,
                                                 "next": target})
            assert signed.status_code == 303 and signed.headers["location"] == "/", target
