"""The projector turns stored notifications into fact-table rows (``projections.projector``).

The notifications are those the in-memory store holds after a few commands, read as the runner
reads them; each test reads the rows the projector collects, by column name, as the views' tables
would hold them.
"""

from __future__ import annotations

from typing import Any

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from domain.stores.port import NotificationRow
from projections.projector import Projector
from projections.tables import FACTS

AT = "2026-01-05T09:00:00Z"
Rows = dict[str, list[dict[str, Any]]]


def record(ledger: Ledger, *lines: dict[str, Any]) -> list[NotificationRow]:
    """Execute the lines (all must be accepted); the notifications they stored, as the runner reads them."""
    before = ledger.store.max_notification_id() or 0
    result = ledger.execute([COMMAND_ADAPTER.validate_python({"at": AT, **line}) for line in lines])
    assert result.rejected == [] and result.forbidden == [], result
    return ledger.store.select_notification_rows(before + 1, 1000)


def named(projector: Projector) -> Rows:
    """The collected rows of every table as dicts of column name to value."""
    return {table: [dict(zip((name for name, _ in FACTS[table].columns), row, strict=True)) for row in rows]
            for table, rows in projector.rows.items()}


def project(ledger: Ledger, *lines: dict[str, Any]) -> Rows:
    projector = Projector(lambda oids: {}, lambda oids: {})
    projector.reveal = ledger.reveal
    projector.project(record(ledger, *lines))
    return named(projector)


TEAM = {"type": "FormTeam", "team": "kitchen", "name": "Kitchen"}
CLIENT = {"type": "IdentifyClient", "client": "diner", "name": "Dana Diner", "kind": "external",
          "description": "comes on Fridays"}
METRIC = {"type": "DefineMetric", "metric": "wait", "name": "Wait", "unit": "min", "direction": "lower_is_better"}


def test_every_event_has_an_event_log_row_with_its_audit_in_utc(ledger: Ledger) -> None:
    rows = project(ledger, {**TEAM, "id": "line-1", "at": "2026-01-05T12:00:00+03:00", "actor": "carol",
                            "reason": "new kitchen"})
    (log,) = rows["event_log"]
    assert {k: log[k] for k in ("key", "version", "aggregate_type", "event", "business_at", "actor", "reason",
                                "correlation", "channel")} == {
        "key": "kitchen", "version": 1, "aggregate_type": "Team", "event": "Formed",
        "business_at": "2026-01-05T09:00:00", "actor": "carol", "reason": "new kitchen", "correlation": "line-1",
        "channel": "import",
    }
    assert rows["teams"] == [{"position": log["position"], "business_at": "2026-01-05T09:00:00",
                              "team": "kitchen", "name": "Kitchen"}]


def test_personal_text_is_sealed_in_the_store_and_opened_in_the_rows(ledger: Ledger) -> None:
    (stored,) = record(ledger, CLIENT)
    assert b"Dana Diner" not in stored[4] and b"enc:v1:" in stored[4]
    projector = Projector(lambda oids: {}, lambda oids: {})
    projector.reveal = ledger.reveal
    projector.project([stored])
    (client,) = named(projector)["clients"]
    assert (client["client"], client["name"], client["description"]) == ("diner", "Dana Diner", "comes on Fridays")


def test_membership_rows_say_added_or_removed(ledger: Ledger) -> None:
    rows = project(ledger, TEAM,
                   {"type": "AddMember", "team": "kitchen", "person": "lea", "role": "chef", "lead": True},
                   {"type": "AddMember", "team": "kitchen", "person": "sam", "role": "cook"},
                   {"type": "RemoveMember", "team": "kitchen", "person": "sam"})
    assert [(r["team"], r["person"], r["role"], r["change"], r["lead"]) for r in rows["team_membership"]] == [
        ("kitchen", "lea", "chef", "added", True),
        ("kitchen", "sam", "cook", "added", False),
        ("kitchen", "sam", None, "removed", False),
    ]


PROMISE_LIFE = [
    {"type": "ProposePromise", "promise": "p", "promisor": "kitchen", "promisee": "diner", "statement": "Hot food",
     "metric": "wait", "target": 10, "period": "week", "requires": ["refunds"]},
    {"type": "CounterPropose", "promise": "p", "changes": {"target": 8}},
    {"type": "GrantAuthority", "team": "kitchen", "authority": "refunds", "description": "up to 20"},
    {"type": "AgreePromise", "promise": "p"},
    {"type": "ProposeAmendment", "promise": "p", "changes": {"target": 6}, "reason": "new oven"},
    {"type": "AcceptAmendment", "promise": "p"},
    {"type": "RetirePromise", "promise": "p", "reason": "kitchen closed"},
]


def test_promise_history_rows_carry_the_terms_after_each_event(ledger: Ledger) -> None:
    rows = project(ledger, TEAM, CLIENT, METRIC, *PROMISE_LIFE)
    assert [(h["version"], h["event"], h["status"], h["target"], h["period"], h["changes"])
            for h in rows["promise_history"]] == [
        (1, "Proposed", "proposed", 10.0, "week",
         '{"metric":"wait","period":"week","promisee":"diner","promisor":"kitchen","statement":"Hot food",'
         '"target":10.0}'),
        (2, "CounterProposed", "proposed", 8.0, "week", '{"target":8.0}'),
        (3, "Agreed", "agreed", 8.0, "week", "{}"),
        (4, "AmendmentProposed", "agreed", 8.0, "week", '{"target":6.0}'),  # nothing changes until accepted
        (5, "Amended", "agreed", 6.0, "week", '{"target":6.0}'),
        (6, "Retired", "retired", 6.0, "week", "{}"),
    ]
    assert [(r["promise"], r["authority"]) for r in rows["promise_requirements"]] == [("p", "refunds")]
    assert rows["promise_history"][4]["reason"] == "new oven"  # the accepted amendment keeps the proposal's reason


def test_a_later_page_reads_keys_and_terms_the_earlier_pages_projected(ledger: Ledger) -> None:
    first = Projector(lambda oids: {}, lambda oids: {})
    first.project(record(ledger, TEAM, CLIENT, METRIC, *PROMISE_LIFE[:3]))
    asked: list[list[str]] = []

    def load_keys(oids: list[str]) -> dict[str, str]:
        asked.append(sorted(oids))
        return {oid: key for oid, key in first.keys.items() if oid in oids}

    later = Projector(load_keys, lambda oids: {oid: first.promises[oid] for oid in oids})
    later.project(record(ledger, {"type": "AgreePromise", "promise": "p"},
                         {"type": "AddMember", "team": "kitchen", "person": "lea", "role": "chef"}))
    promise_oid = next(oid for oid in first.promises)
    team_oid = next(oid for oid, key in first.keys.items() if key == "kitchen")
    assert asked == [sorted([promise_oid, team_oid])]  # only aggregates created on earlier pages
    (agreed,) = named(later)["promise_history"]
    assert (agreed["promise"], agreed["status"], agreed["target"]) == ("p", "agreed", 8.0)
    assert named(later)["team_membership"][0]["team"] == "kitchen"


def test_feedback_money_and_experiment_rows(ledger: Ledger) -> None:
    rows = project(
        ledger, TEAM, CLIENT, METRIC,
        {"type": "RecordFeedback", "feedback_id": "f1", "client": "diner", "kind": "complaint", "channel": "app",
         "text": "Cold soup", "rating": 2, "team": "kitchen", "occurred_at": "2026-01-04T20:00:00+01:00"},
        {"type": "ResolveFeedback", "feedback_id": "f1", "resolution": "refunded", "actor": "lea"},
        {"type": "PostLedgerEntry", "id": "e1", "team": "kitchen", "period": "2026-01", "kind": "revenue",
         "amount": 1200},
        {"type": "ChooseRewardScheme", "team": "kitchen", "variant": "base_plus_team_bonus", "split": "base_pay",
         "base_pay": {"lea": 1000}},
        {"type": "ProposeExperiment", "experiment": "x", "team": "kitchen", "hypothesis": "H", "metric": "wait",
         "design": "ab"},
        {"type": "StartExperiment", "experiment": "x"},
        {"type": "RecordObservation", "experiment": "x", "arm": "treatment", "value": 7.5},
        {"type": "ConcludeExperiment", "experiment": "x", "decision": "adopt", "learning": "faster"},
    )
    (feedback,) = rows["feedback"]
    assert (feedback["feedback_id"], feedback["text"], feedback["rating"], feedback["team"]) == (
        "f1", "Cold soup", 2.0, "kitchen")
    assert (feedback["occurred_at"], feedback["business_at"]) == ("2026-01-04T19:00:00", "2026-01-05T09:00:00")
    assert [(r["feedback_id"], r["resolution"], r["actor"]) for r in rows["feedback_resolutions"]] == [
        ("f1", "refunded", "lea")]
    assert [(r["entry"], r["team"], r["period"], r["kind"], r["amount"]) for r in rows["ledger_entries"]] == [
        ("e1", "kitchen", "2026-01", "revenue", 1200.0)]
    (scheme,) = rows["reward_schemes"]
    assert (scheme["team_version"], scheme["variant"], scheme["split"], scheme["base_pay"]) == (
        2, "base_plus_team_bonus", "base_pay", '{"lea":1000.0}')
    assert [(r["experiment"], r["event"], r["decision"]) for r in rows["experiment_events"]] == [
        ("x", "Started", None), ("x", "Concluded", "adopt")]
    assert [(r["experiment"], r["arm"], r["value"]) for r in rows["observations"]] == [("x", "treatment", 7.5)]
