"""docs/brief.md §10 "Reads": one test per row of the read rules, through the API, the pages and the live
stream of a real server (SQLite and PostgreSQL), for the company of ``tests.support.read_company``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.browser import _CSRF, Served, serving, sign_in
from tests.support.cli import run_cli
from tests.support.complaints import ageless
from tests.support.read_company import LINES, MALL_TEXT, SHOP_TEXT, TOKENS
from tests.support.stores import STORES

pytestmark = pytest.mark.processes  # a real server (and one real browser)


@pytest.fixture(scope="module", params=STORES)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(request.param, tmp_path_factory.mktemp(f"reads-{request.param}"), LINES, TOKENS) as server:
        yield server


def get(served: Served, person: str, path: str) -> tuple[int, Any]:
    return served.api("GET", path, person)


def payouts(team: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (row,) = team["economics"]
    return {p["person"]: p for p in row["payouts"]}


def complaint(team: dict[str, Any], feedback_id: str) -> dict[str, Any] | None:
    return next((c for c in team["open_complaints"] if c["feedback_id"] == feedback_id), None)


# Open to every signed-in person of the company ------------------------------------------------------------------

def test_a_member_of_another_team_reads_its_members_promises_and_team_level_economics(served: Served) -> None:
    status, kitchen = get(served, "max", "/api/teams/kitchen")
    assert status == 200
    assert [m["person"] for m in kitchen["members"]] == ["kim", "sam"]
    assert [p["promise"] for p in kitchen["promises"]] == ["p-mall"]
    (row,) = kitchen["economics"]
    assert (row["revenue"], row["costs"], row["net_profit"]) == (10000, 6000, 4000) and row["bonus_pool"] > 0
    assert get(served, "max", "/api/promises/p-mall")[0] == 200
    assert get(served, "kim", "/api/experiments/exp-boxes")[0] == 200


# Per-person pay: the person, their team's lead, the council --------------------------------------------------

def test_pay_per_person_is_the_persons_their_leads_and_the_councils(served: Served) -> None:
    _, as_lead = get(served, "lena", "/api/teams/delivery")  # first: its answer must not be served to others
    assert payouts(as_lead)["max"]["base_pay"] == 2000 and "redacted" not in as_lead
    _, as_member = get(served, "max", "/api/teams/delivery")
    mine, lenas = payouts(as_member)["max"], payouts(as_member)["lena"]
    assert mine["base_pay"] == 2000 and "redacted" not in mine
    assert lenas["base_pay"] is None and lenas["bonus"] is None and lenas["redacted"] == ["base_pay", "bonus"]
    assert "economics.payouts.base_pay" in as_member["redacted"]
    _, other_lead = get(served, "kim", "/api/teams/delivery")
    assert all(p["base_pay"] is None for p in payouts(other_lead).values())
    assert other_lead["economics"][0]["bonus_pool"] == as_lead["economics"][0]["bonus_pool"]  # team level: open
    _, council = get(served, "cora", "/api/teams/delivery")
    assert ageless(council) == ageless(as_lead)  # the council reads what `team show --json` prints


def test_the_council_answer_is_the_operators_show(served: Served) -> None:
    _, council = get(served, "cora", "/api/teams/delivery")
    shown = run_cli("team", "show", "delivery", "--json", "--views", str(served.folder / "cli.duckdb"),
                    store=served.store, check=True)
    assert ageless(json.loads(shown.stdout)) == ageless(council)


# Complaint and feedback texts: the team concerned, the client's representatives, the council -------------------

def test_complaint_texts_are_the_team_concerneds_the_representatives_and_the_councils(served: Served) -> None:
    for person in ("lena", "max", "cora", "sam"):  # delivery, the council, a representative of shop
        _, team = get(served, person, "/api/teams/delivery")
        assert complaint(team, "fb-shop")["text"] == SHOP_TEXT, person  # type: ignore[index]
    _, kitchen_view = get(served, "kim", "/api/teams/delivery")
    hidden = complaint(kitchen_view, "fb-shop")
    assert hidden is not None and hidden["text"] is None and hidden["redacted"] == ["text", "response"]
    assert "open_complaints.text" in kitchen_view["redacted"]  # and the answer given, personal too


def test_a_representative_reads_no_other_clients_complaints(served: Served) -> None:
    status, kitchen = get(served, "rex", "/api/teams/kitchen")
    assert status == 200 and complaint(kitchen, "fb-mall") is None  # lists leave it out
    assert MALL_TEXT not in json.dumps(kitchen)
    _, delivery = get(served, "rex", "/api/teams/delivery")
    assert complaint(delivery, "fb-shop")["text"] == SHOP_TEXT  # type: ignore[index]


# The audit trail ------------------------------------------------------------------------------------------------

def test_the_audit_trail_is_the_councils_and_each_persons_own_part(served: Served) -> None:
    _, everything = get(served, "cora", "/api/audit")
    _, member = get(served, "max", "/api/audit")
    _, external = get(served, "rex", "/api/audit")
    keys = {(e["aggregate"], e["key"]) for e in member["events"]}
    assert ("Team", "delivery") in keys and ("Team", "kitchen") not in keys
    assert ("Promise", "p-shop") in keys and ("Promise", "p-mall") not in keys
    assert len(member["events"]) < len(everything["events"])
    aggregates = {(e["aggregate"], e["key"]) for e in external["events"]}
    assert ("Promise", "p-shop") in aggregates and ("Client", "shop") in aggregates
    assert not {a for a, _ in aggregates} & {"Team", "Experiment", "Person", "LedgerEntry"}
    assert ("Client", "mall") not in aggregates and ("Promise", "p-mall") not in aggregates
    assert get(served, "rex", "/api/audit?team=kitchen")[1]["events"] == []


# An external client ---------------------------------------------------------------------------------------------

def test_an_external_client_sees_team_names_and_the_promises_to_their_client_only(served: Served) -> None:
    status, team = get(served, "rex", "/api/teams/delivery")
    assert status == 200 and team["name"] == "Delivery"
    assert [p["promise"] for p in team["promises"]] == ["p-shop"] and team["promises_received"] == []
    for field in ("members", "economics", "feedback_by_period", "authorities"):
        assert team[field] is None and field in team["redacted"]
    assert get(served, "rex", "/api/promises/p-shop")[0] == 200
    status, body = get(served, "rex", "/api/promises/p-mall")
    assert status == 404 and body["error"] == get(served, "rex", "/api/promises/p-nothing")[1]["error"].replace(
        "p-nothing", "p-mall")  # the same answer as a key that does not exist


def test_an_external_client_reads_no_experiments_nor_retrospectives(served: Served) -> None:
    status, body = get(served, "rex", "/api/experiments/exp-boxes")
    assert status == 403 and body["rule"] == "read:internal"
    status, body = get(served, "mia", "/api/retro?team=delivery&from=2026-01-01&to=2026-02-01")
    assert status == 403 and body["rule"] == "read:internal"
    status, retro = get(served, "max", "/api/retro?team=delivery&from=2026-01-01&to=2026-02-01")
    assert status == 200 and retro["retrospectives"][0]["economics"][0]["payouts"][0]["base_pay"] is None


# The live stream ------------------------------------------------------------------------------------------------

def _stream(served: Served, person: str, after: int, until: int) -> list[int]:
    """The positions the live stream sends ``person`` after ``after``, read until ``until`` (or 2 s of quiet)."""
    seen: list[int] = []
    headers = {"Authorization": f"Bearer {served.tokens[person]}", "Last-Event-ID": str(after)}
    with httpx.Client(base_url=served.base_url, timeout=httpx.Timeout(2.0)) as http, \
            http.stream("GET", "/api/events", headers=headers) as answer:
        try:
            for line in answer.iter_lines():
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:])["position"])
                    if seen[-1] >= until:
                        break
        except httpx.ReadTimeout:
            pass
    return seen


def test_the_live_stream_carries_only_what_its_person_may_read(served: Served) -> None:
    _, before = get(served, "cora", "/api/health")
    start = before["views_position"]
    when = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")  # feedback goes back 90 days
    for feedback_id, client, team in (("fb-live-mall", "mall", "kitchen"), ("fb-live-shop", "shop", "delivery")):
        status, _ = served.api("POST", "/api/feedback", "desk", {
            "feedback_id": feedback_id, "client": client, "kind": "complaint", "channel": "app",
            "text": "late again", "team": team, "occurred_at": when})
        assert status == 202
    _, audit = get(served, "cora", f"/api/audit?from={when}&to={when}")
    mall, shop = (e["position"] for e in audit["events"][-2:])
    assert _stream(served, "cora", start, shop)[-2:] == [mall, shop]
    rex = _stream(served, "rex", start, shop)
    assert shop in rex and mall not in rex
    kim = _stream(served, "kim", start, shop)  # kitchen's complaint, never delivery's: read until quiet
    assert mall in kim and shop not in kim


# The pages ------------------------------------------------------------------------------------------------------

def test_pages_follow_the_same_rules(served: Served) -> None:
    assert SHOP_TEXT in served.page("lena", "/teams/delivery").text
    other = served.page("kim", "/teams/delivery")
    assert other.status_code == 200 and SHOP_TEXT not in other.text and "Economics by month" in other.text
    external = served.page("rex", "/teams/kitchen")
    assert external.status_code == 200 and "Economics by month" not in external.text
    assert MALL_TEXT not in external.text and "Kim" not in external.text and "p-mall" not in external.text
    assert served.page("rex", "/promises/p-mall").status_code == 404
    assert served.page("rex", "/promises/p-shop").status_code == 200
    forbidden = served.page("rex", "/experiments/exp-boxes")
    assert forbidden.status_code == 403 and "read:internal" in forbidden.text
    assert served.page("rex", "/retro?team=delivery").status_code == 403
    assert MALL_TEXT not in served.page("rex", "/teams/kitchen/complaints").text
    audit = served.page("rex", "/audit")
    assert audit.status_code == 200 and "p-mall" not in audit.text and "p-shop" in audit.text


def test_the_team_pages_payouts_follow_the_pay_rule(served: Served) -> None:
    """docs/brief.md §8 "money pages show payouts per person" under §10's pay rule: the lead reads every payout of
    the team, a member their own, another team's lead none (each row says who may read it)."""
    hidden = "shown to the person, their lead and the council"
    _, answer = served.api("GET", "/api/teams/delivery", "cora")
    (month,) = answer["economics"]
    pay = {o["person"]: o for o in month["payouts"]}
    max_total = f"{pay['max']['base_pay'] + pay['max']['bonus']:,.0f}"
    lead = served.page("lena", "/teams/delivery").text
    assert "Payouts per person" in lead and hidden not in lead and max_total in lead
    member = served.page("max", "/teams/delivery").text
    assert max_total in member and member.count(hidden) == 1  # lena's row
    other = served.page("kim", "/teams/delivery").text
    assert "Payouts per person" in other and other.count(hidden) == 2 and max_total not in other
    assert "losses carried" in lead and "company net profit" in lead


def test_an_external_client_in_a_real_browser(browser: Any, served: Served) -> None:
    context, page = sign_in(browser, served, "rex")
    try:
        page.goto(served.url("/teams/delivery"))
        assert page.get_by_role("heading", name="Economics by month").count() == 0
        assert page.get_by_text(SHOP_TEXT).count() == 1
        assert page.get_by_text("Members are shown to the company's people.").count() == 1
        page.goto(served.url("/promises/p-mall"))
        assert "There is no promise" in page.content()
    finally:
        context.close()


# Tokens: a read token's web sign-in issues none and revokes only itself (as through the API) -----------------

def test_a_read_sign_in_issues_no_token_and_revokes_only_its_own(served: Served) -> None:
    _, before = get(served, "cora", "/api/tokens")
    lenas = served.tokens["lena"].split("_")[1]
    with served.session("cora") as client:
        csrf = _CSRF.search(client.get("/").text)
        assert csrf is not None
        for scope in ("write", "read"):
            issued = client.post("/people/tokens", data={"csrf_token": csrf.group(1), "person": "", "scope": scope})
            assert issued.status_code == 403 and "IssueToken: write scope" in issued.text, issued.text
            assert "clo_" not in issued.text
        people = client.get("/people").text  # a Revoke button only where it would work: her own token
        assert f"Revoke token {lenas}" not in people
        assert f"Revoke token {served.tokens['cora'].split('_')[1]}" in people
        revoked = client.post(f"/tokens/{lenas}/revoke", data={"csrf_token": csrf.group(1), "back": "people"})
        assert revoked.status_code == 403 and "may revoke only itself" in revoked.text
    _, after = get(served, "cora", "/api/tokens")
    assert after["total"] == before["total"]  # nothing recorded
    assert get(served, "lena", "/api/teams/delivery")[0] == 200  # her token still works
    status, refused = served.api("DELETE", f"/api/tokens/{lenas}", "cora")
    assert status == 403 and refused["rule"] == "RevokeToken: write scope"
