"""A full negotiation through real servers: authority required, refused, granted, countered, agreed,
amended by one side and accepted by the other (each side consenting through its lead or a client's
representative, docs/brief.md §10); the audit names the authenticated people, channel api."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from domain.service.ledger import Ledger
from domain.service.tokens import issue_token
from tests.support.cli import cli, import_lines
from tests.support.clock import ago
from tests.support.server import ServerProcess
from tests.support.stores import STORES, module_store

pytestmark = pytest.mark.processes  # real servers

SEED = [
    {"type": "RegisterPerson", "person": p, "name": p.title()} for p in ("carol", "ann", "bob", "dave")
] + [{"type": "AppointCouncil", "person": "carol"}]


@pytest.fixture(scope="module", params=STORES)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("negotiation")
    for store in module_store(request.param, folder):
        import_lines(store, SEED)
        ledger = Ledger.open(store)  # `token issue` itself is exercised in test_api_security
        tokens = {p: issue_token(ledger, p).token for p in ("carol", "ann", "bob", "dave")}
        ledger.close()
        server = ServerProcess(store, folder / "views.duckdb", folder / "server.log")
        try:
            yield {"store": store, "server": server, "tokens": tokens, "folder": folder}
        finally:
            server.stop()


def post(world: dict[str, Any], person: str, command: dict[str, Any]) -> Any:
    with world["server"].client(world["tokens"][person]) as http:
        return http.post("/api/commands", json=command)


def get(world: dict[str, Any], path: str, person: str = "carol") -> Any:
    with world["server"].client(world["tokens"][person]) as http:
        return http.get(path)


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def test_full_negotiation_with_required_authority(world: dict[str, Any]) -> None:
    ok(post(world, "carol", {"type": "FormTeam", "team": "kitchen", "name": "Kitchen"}))
    ok(post(world, "carol", {"type": "AddMember", "team": "kitchen", "person": "ann", "role": "chef", "lead": True}))
    ok(post(world, "ann", {"type": "AddMember", "team": "kitchen", "person": "bob", "role": "cook"}))
    ok(post(world, "bob", {"type": "DefineMetric", "metric": "wait", "name": "Wait", "unit": "min",
                           "direction": "lower_is_better"}))
    ok(post(world, "bob", {"type": "IdentifyClient", "client": "diner", "name": "Diner", "kind": "external"}))
    ok(post(world, "carol", {"type": "RepresentClient", "client": "diner", "person": "dave"}))
    proposed = ok(post(world, "bob", {
        "type": "ProposePromise", "promise": "fast", "promisor": "kitchen", "promisee": "diner",
        "statement": "Food in 10 minutes", "metric": "wait", "target": 10, "period": "week",
        "requires": ["menu"],
    }))
    assert proposed == {"status": "accepted", "events": 1}

    # docs/brief.md §10: bob (a plain member) proposed, so kitchen consents through its lead, and only the
    # consent that puts the terms in force needs the authority
    courier = post(world, "bob", {"type": "AgreePromise", "promise": "fast"})
    assert courier.status_code == 403 and courier.json()["rule"].startswith("AgreePromise:")
    ok(post(world, "ann", {"type": "AgreePromise", "promise": "fast"}))
    refused = post(world, "dave", {"type": "AgreePromise", "promise": "fast"})
    assert refused.status_code == 403
    assert "menu" in refused.json()["error"] and refused.json()["rule"].startswith("authority")
    assert get(world, "/api/promises/fast").json()["authority_gaps"] == ["menu"]

    ok(post(world, "carol", {"type": "GrantAuthority", "team": "kitchen", "authority": "menu",
                             "description": "Change the menu"}))
    ok(post(world, "dave", {"type": "CounterPropose", "promise": "fast", "changes": {"target": 12}}))
    own = post(world, "dave", {"type": "AgreePromise", "promise": "fast"})
    assert own.status_code == 403 and own.json()["rule"].startswith("AgreePromise:")
    council = post(world, "carol", {"type": "AgreePromise", "promise": "fast"})
    assert council.status_code == 403  # the council is not a stand-in for a side
    ok(post(world, "ann", {"type": "AgreePromise", "promise": "fast"}))

    view = ok(get(world, "/api/promises/fast", "bob"))
    assert (view["status"], view["target"], view["requires"], view["authority_gaps"]) == ("agreed", 12, ["menu"], [])
    assert [(h["event"], h["actor"]) for h in view["history"]] == [
        ("Proposed", "bob"), ("Consented", "ann"), ("CounterProposed", "dave"), ("Agreed", "ann")]

    ok(post(world, "dave", {"type": "ProposeAmendment", "promise": "fast", "changes": {"target": 15},
                            "reason": "lunch rush"}))
    assert get(world, "/api/promises/fast").json()["pending_amendment"]["changes"] == {"target": 15}
    same_side = post(world, "dave", {"type": "AcceptAmendment", "promise": "fast"})
    assert same_side.status_code == 403 and same_side.json()["rule"].startswith("AcceptAmendment:")
    courier = post(world, "bob", {"type": "AcceptAmendment", "promise": "fast"})
    assert courier.status_code == 403 and courier.json()["rule"].startswith("AcceptAmendment:")
    ok(post(world, "ann", {"type": "AcceptAmendment", "promise": "fast"}))
    view = ok(get(world, "/api/promises/fast"))
    assert (view["target"], view["pending_amendment"], view["history"][-1]["event"]) == (15, None, "Amended")
    assert (view["history"][-1]["actor"], view["history"][-1]["reason"]) == ("ann", "lunch rush")

    ok(post(world, "carol", {"type": "RevokeAuthority", "team": "kitchen", "authority": "menu", "reason": "audit"}))
    assert ok(get(world, "/api/promises/fast"))["authority_gaps"] == ["menu"]
    team = ok(get(world, "/api/teams/kitchen"))
    assert team["promises"][0]["authority_gaps"] == ["menu"] and team["authorities"] == []
    assert {m["person"]: m["lead"] for m in team["members"]} == {"ann": True, "bob": False}

    audit = ok(get(world, "/api/audit?promise=fast"))["events"]
    assert [(e["event"], e["actor"], e["channel"]) for e in audit] == [
        ("Proposed", "bob", "api"), ("Consented", "ann", "api"), ("CounterProposed", "dave", "api"),
        ("Agreed", "ann", "api"), ("AmendmentProposed", "dave", "api"), ("Amended", "ann", "api")]
    assert all(e["recorded_at"] and e["at"] and e["aggregate"] == "Promise" for e in audit)
    by_team = ok(get(world, "/api/audit?team=kitchen&actor=carol"))["events"]
    assert {e["event"] for e in by_team} >= {"Formed", "MemberAdded", "AuthorityGranted", "AuthorityRevoked"}
    ok(post(world, "bob", {"type": "RecordFeedback", "feedback_id": "fb-audit", "client": "diner", "kind": "praise",
                           "channel": "app", "text": "Quick", "team": "kitchen", "occurred_at": ago()}))
    team_trail = ok(get(world, "/api/audit?team=kitchen&actor=bob"))["events"]  # the team's events, as read rules say
    assert ("Feedback", "fb-audit") in {(e["aggregate"], e["key"]) for e in team_trail}

    ok(post(world, "bob", {"type": "ProposeExperiment", "experiment": "e1", "team": "kitchen",
                           "hypothesis": "Prep earlier", "metric": "wait", "design": "ab"}))
    ok(post(world, "bob", {"type": "StartExperiment", "experiment": "e1"}))
    ok(post(world, "bob", [{"type": "RecordObservation", "experiment": "e1", "arm": arm, "value": v}
                           for arm, v in (("control", 9), ("control", 11), ("treatment", 7), ("treatment", 8))]))

    # the API's answers are the CLI's, byte for byte once parsed (the CLI on a views file of its own)
    views = str(world["folder"] / "cli-views.duckdb")
    for path, args in (("/api/promises/fast", ("promise", "show", "fast")),
                       ("/api/teams/kitchen", ("team", "show", "kitchen")),
                       ("/api/experiments/e1", ("experiment", "show", "e1")),
                       ("/api/promises/fast?as_of=2000-01-01T00:00:00Z", None)):
        if args is None:
            assert get(world, path).status_code == 404  # did not exist yet then
            continue
        shown = json.loads(cli(*args, "--json", "--views", views, store=world["store"]).stdout)
        assert ok(get(world, path)) == shown
    retro = json.loads(cli("retro", "--team", "kitchen", "--from", "2000-01-01", "--to", "2100-01-01", "--json",
                           "--views", views, "--html", str(world["folder"] / "r.html"), store=world["store"]).stdout)
    served = ok(get(world, "/api/retro?team=kitchen&from=2000-01-01&to=2100-01-01"))
    assert served["retrospectives"] == retro["retrospectives"]
    # the CLI pointed at the server's own views file reads through a cache beside it (no lock wait)
    served_views = world["folder"] / "views.duckdb"
    shown = json.loads(cli("promise", "show", "fast", "--json", "--views", str(served_views),
                           store=world["store"]).stdout)
    assert shown == ok(get(world, "/api/promises/fast"))
    assert (world["folder"] / "views.cli.duckdb").exists()
    assert json.loads(cli("verify", "--json", store=world["store"]).stdout)["ok"] is True
