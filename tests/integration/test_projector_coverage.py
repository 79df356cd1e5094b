"""Every stored event type is projected, and every projected row fits its table.

A new event class without a projector handler would silently reach the views as an
``event_log`` row only; a handler whose row is one column short or long breaks the page append.
This test walks the domain's event classes and projects a store holding every handled type.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path
from typing import Any

from eventsourcing.domain import DomainEvent

import domain
from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Acting, Ledger
from domain.service.tokens import issue_token, revoke_token
from projections.columnar import COLUMNAR
from projections.projector import EVENT_LOG_ONLY, Projector
from projections.tables import FACTS
from scripts.sample_company import sample_company_commands
from tests.support.ledger import record_legacy_observations

AT = "2026-04-01T09:00:00Z"
EXTRA: list[dict[str, Any]] = [  # the event types the sample company does not produce
    {"type": "RevokeAuthority", "id": "x-revoke", "at": AT, "actor": "mikhail-grigoriev", "team": "home-delivery",
     "authority": "refund-up-to-20", "reason": "audit of refunds"},
    {"type": "ProposeAmendment", "id": "x-amend", "at": AT, "actor": "anna-petrova", "promise": "p-home-2h-window",
     "changes": {"target": 92.0}, "reason": "the new vans"},
    {"type": "ProposeExperiment", "id": "x-exp", "at": AT, "actor": "maria-ivanova", "experiment": "x-exp",
     "team": "home-delivery", "hypothesis": "Summaries arrive from the analytics tool.", "metric": "delivery-minutes",
     "design": "ab"},
    {"type": "StartExperiment", "id": "x-exp-start", "at": AT, "actor": "maria-ivanova", "experiment": "x-exp"},
    {"type": "RecordArmSummary", "id": "x-summary", "at": AT, "experiment": "x-exp", "arm": "control", "n": 3,
     "sum": 6.0, "sum_squares": 14.0},
    {"type": "DeclineAmendment", "id": "x-decline", "at": AT, "promise": "p-home-2h-window", "reason": "not yet"},
    {"type": "DelegateConsent", "id": "x-delegate", "at": AT, "team": "home-delivery", "person": "maria-ivanova"},
    {"type": "WithdrawConsent", "id": "x-withdraw", "at": AT, "team": "home-delivery", "person": "maria-ivanova"},
    {"type": "SetSuccessMetric", "id": "x-success", "at": AT, "team": "home-delivery", "metric": "delivery-minutes",
     "target": 40, "reason": "households wait less"},
    {"type": "AppointCouncil", "id": "x-appoint", "at": AT, "person": "anna-petrova"},
    {"type": "DismissCouncil", "id": "x-dismiss", "at": AT, "person": "anna-petrova"},
    {"type": "RecordFeedback", "id": "x-no-team", "at": AT, "feedback_id": "x-no-team", "client": "households",
     "kind": "complaint", "channel": "app", "text": "Nobody answers", "occurred_at": AT},
    {"type": "AssignFeedback", "id": "x-assign", "at": AT, "feedback_id": "x-no-team", "team": "warehouse"},
]

BY_PEOPLE: list[tuple[str, dict[str, Any]]] = [  # through the API: a courier's proposal, then one side's consent
    ("igor-smirnov", {"type": "ProposePromise", "promise": "x-courier", "promisor": "home-delivery",
                      "promisee": "households", "statement": "Soup stays hot", "metric": "delivery-minutes",
                      "target": 30, "period": "week"}),
    ("vera-belova", {"type": "AgreePromise", "promise": "x-courier"}),  # households consents; the team has not
]


def stored_event_topics() -> set[str]:
    """Topics of the domain's own event classes (not the library's ``Created``/``Event`` bases)."""
    topics = set()
    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        module = importlib.import_module(info.name)
        for _, aggregate in inspect.getmembers(module, inspect.isclass):
            for name, event in inspect.getmembers(aggregate, inspect.isclass):
                if (issubclass(event, DomainEvent) and event.__module__ == module.__name__
                        and name not in ("Created", "Event") and event.__qualname__.startswith(aggregate.__name__)):
                    topics.add(f"{event.__module__}:{event.__qualname__}")
    return topics


def test_every_event_class_has_a_handler_or_is_declared_log_only() -> None:
    handled = set(Projector(dict, dict).handlers)
    topics = stored_event_topics()
    assert len(topics) > 30
    assert topics - handled - set(EVENT_LOG_ONLY) == set(), "add a Projector handler (or an EVENT_LOG_ONLY reason)"
    assert handled - topics == set(), "a handler for an event class that does not exist"
    assert set(EVENT_LOG_ONLY) <= topics and not set(EVENT_LOG_ONLY) & handled
    assert set(COLUMNAR) <= handled  # the SQL path keeps its Python reference


def test_every_handler_row_has_its_tables_width(sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:
        result = ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in [*sample_company_commands(), *EXTRA]])
        assert not result.rejected, result.rejected
        for person, line in BY_PEOPLE:
            one = ledger.execute([COMMAND_ADAPTER.validate_python(line)], acting=Acting(person, "api"))
            assert one.rejected == [] and one.forbidden == [], (line, one)
        record_legacy_observations(ledger, "x-exp", [("control", 1.5, AT)])  # no command writes these any more
        ledger.forget("client", "households", "the household asked to be forgotten")
        revoke_token(ledger, issue_token(ledger, "anna-petrova", "read", 30).token_id)  # tokens are no commands
        rows = ledger.recorder.select_notification_rows(1, 1_000_000)
    finally:
        ledger.close()
    projector = Projector(lambda oids: {}, lambda oids: {})  # one batch: nothing comes from earlier ones
    projector.project(rows)
    seen = {topic for _, _, _, topic, _ in rows}
    assert set(projector.handlers) <= seen, sorted(set(projector.handlers) - seen)
    assert set(projector.rows) <= set(FACTS) and len(projector.rows) > 20
    for table, table_rows in projector.rows.items():
        width = len(FACTS[table].columns)
        assert {len(row) for row in table_rows} == {width}, table
