"""Turns stored events into fact-table rows, reading the stored JSON directly.

Two paths, one result (a test holds them equal, table by table): the high-volume topics are
projected by DuckDB SQL over whole pages (``projections.columnar``); every other topic goes
through ``Projector``: one small Python method per event type, which may keep state across
events (a promise's terms). Only the fields a table needs are touched, and timestamps stay ISO
text until DuckDB casts a whole column at once. Every SQL-projected topic keeps its method here
as the reference.

Topics are never written here as strings: the handlers are keyed by the event classes' topics
(``domain.topics.event_topic``), and a stored topic is looked up by the class it resolves to
(``domain.topics.class_topic``). So when an aggregate module moves, its events stored under the old
module path keep being projected, once the new module registers the old path with
``eventsourcing.utils.register_topic("domain.old_module", new_module)`` (or one old topic with its
class): ``resolve_topic`` follows that registration for the library's mapper and for both paths here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from eventsourcing.utils import resolve_topic

from domain.adoption import Adoption
from domain.audit import channel_of
from domain.client import Client
from domain.economics import LedgerEntry
from domain.erasure import Erasure
from domain.experiment import ErrorReview, Experiment, ProcessChange
from domain.feedback import Feedback
from domain.metric import Metric, Reading
from domain.observation import Observation
from domain.person import Person
from domain.promise import Promise
from domain.stores.port import NotificationRow
from domain.strategy import StrategyCanvas
from domain.team import Team
from domain.tokens import Token
from domain.topics import class_topic, event_topic, sealed_fields
from projections.event_rows.clients import ClientRows
from projections.event_rows.experiments import ExperimentRows
from projections.event_rows.feedback import FeedbackRows
from projections.event_rows.promises import PromiseRows
from projections.event_rows.teams import TeamRows
from projections.stored_form import Row, State, decode_state, topic_names, utc_text

EVENT_LOG_ONLY: dict[str, str] = {}
"""Stored event types the views keep only as ``event_log`` rows (who, when, why), and why."""


Dispatch = tuple[Callable[[int, State, int], None] | None, tuple[str, ...], tuple[str, str]]
"""What a stored topic needs: its method (None: kept in ``event_log`` only), sealed fields, names."""


class Projector(ClientRows, TeamRows, PromiseRows, FeedbackRows, ExperimentRows):
    """Collects rows per table for one batch of notifications, in store order (the methods per event type
    are in ``projections.event_rows``)."""

    def __init__(
        self,
        load_keys: Callable[[list[str]], dict[str, str]],
        load_promises: Callable[[list[str]], dict[str, State]],
    ) -> None:
        """``load_keys`` and ``load_promises`` read what earlier batches already projected."""
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.load_keys = load_keys
        self.load_promises = load_promises
        self.keys: dict[str, str] = {}  # aggregate id -> business key, for one page (memory stays bounded)
        self.promises: dict[str, State] = {}  # promise aggregate id -> terms after its latest event
        self.reveal: Callable[[Any], Any] = lambda value: value  # opens sealed personal text (personal_data)
        self.handlers: dict[str, Callable[[int, State, int], None]] = {
            event_topic(Client, "Identified"): self._client,
            event_topic(Client, "PainRecorded"): self._pain,
            event_topic(Client, "RepresentativeNamed"): self._representative,
            event_topic(Person, "Registered"): self._person,
            event_topic(Person, "AppointedToCouncil"): self._council,
            event_topic(Person, "DismissedFromCouncil"): self._council,
            event_topic(Client, "ValuePropositionDefined"): self._proposition,
            event_topic(StrategyCanvas, "Drawn"): self._canvas,
            event_topic(StrategyCanvas, "OfferingScored"): self._score,
            event_topic(StrategyCanvas, "UniqueFactorChosen"): self._unique_factor,
            event_topic(Team, "Formed"): self._team,
            event_topic(Team, "MemberAdded"): self._member_added,
            event_topic(Team, "MemberRemoved"): self._member_removed,
            event_topic(Team, "CommunicationRulesSet"): self._rules,
            event_topic(Team, "ConsentDelegated"): self._consent,
            event_topic(Team, "ConsentWithdrawn"): self._consent,
            event_topic(Token, "Issued"): self._token,
            event_topic(Token, "Revoked"): self._token,
            event_topic(Team, "AuthorityGranted"): self._authority,
            event_topic(Team, "AuthorityRevoked"): self._authority_revoked,
            event_topic(Team, "RewardSchemeChosen"): self._scheme,
            event_topic(Team, "SuccessMetricSet"): self._success_metric,
            event_topic(Metric, "Defined"): self._metric,
            event_topic(Reading, "Recorded"): self._reading,
            event_topic(Promise, "Proposed"): self._promise,
            event_topic(Promise, "CounterProposed"): self._promise,
            event_topic(Promise, "Consented"): self._promise,
            event_topic(Promise, "Agreed"): self._promise,
            event_topic(Promise, "Amended"): self._promise,
            event_topic(Promise, "AmendmentProposed"): self._promise,
            event_topic(Promise, "AmendmentDeclined"): self._promise,
            event_topic(Promise, "Retired"): self._promise,
            event_topic(Feedback, "Recorded"): self._feedback,
            event_topic(Feedback, "Resolved"): self._resolution,
            event_topic(Feedback, "Responded"): self._response,
            event_topic(Feedback, "Assigned"): self._assignment,
            event_topic(LedgerEntry, "Posted"): self._ledger_entry,
            event_topic(Experiment, "Proposed"): self._experiment,
            event_topic(Experiment, "Started"): self._experiment_event,
            event_topic(Experiment, "Concluded"): self._experiment_event,
            event_topic(Experiment, "ObservationRecorded"): self._observation,
            event_topic(Observation, "Recorded"): self._observation_aggregate,
            event_topic(Experiment, "ArmSummaryRecorded"): self._arm_summary,
            event_topic(ErrorReview, "Recorded"): self._review,
            event_topic(ProcessChange, "Recorded"): self._process_change,
            event_topic(Adoption, "Recorded"): self._adoption,
            event_topic(Erasure, "SubjectForgotten"): self._forgotten,
        }
        """Event class topic -> the method that projects it."""
        self._dispatch: dict[str, Dispatch] = {}

    def project(self, notifications: list[NotificationRow], *, event_log: bool = True) -> None:
        """Rows for (position, originator id hex, version, topic, state) tuples in store order.

        ``event_log=False`` when the page's ``event_log`` rows were already written by SQL
        (``EVENT_LOG_SQL``): keys of earlier events are then read from there.
        """
        self.keys.clear()
        self._prefetch(notifications)
        log = self.rows["event_log"]
        for position, oid, version, topic, stored in notifications:
            state = decode_state(stored)
            audit = state["audit"]["_data_"]
            handler, sealed, (aggregate_type, event) = self._handler(topic)
            if version == 1:
                self.keys[oid] = state["key"]
            state["_at"] = at = utc_text(audit["at"])
            state["_audit"] = audit
            state["_oid"] = oid
            state["_event"] = event
            state["_key"] = key = self.keys[oid]
            if event_log:
                log.append((
                    position, oid, key, version, aggregate_type, event, at,
                    utc_text(state["timestamp"]), audit["actor"], audit["reason"], audit["correlation"],
                    channel_of(audit.get("channel"), audit["correlation"]),
                ))
            for name in sealed:
                state[name] = self.reveal(state[name])
            if handler is not None:
                handler(position, state, version)

    def _handler(self, stored_topic: str) -> Dispatch:
        """The method for a stored topic, through the class it resolves to, the fields it holds sealed
        (``domain.topics.sealed_fields``: opened before the method runs) and its (aggregate type, event)
        names; remembered per topic."""
        try:
            return self._dispatch[stored_topic]
        except KeyError:
            topic = class_topic(stored_topic)
            handler = self.handlers.get(topic or stored_topic)
            sealed = sealed_fields(resolve_topic(topic)) if topic and handler else ()
            found = self._dispatch[stored_topic] = (handler, sealed, topic_names(stored_topic))
            return found

    def _prefetch(self, batch: list[NotificationRow]) -> None:
        """Load keys and promise terms of aggregates created in earlier batches."""
        later = {oid: topic for _, oid, version, topic, _ in batch if version > 1}
        missing_keys = [oid for oid in later if oid not in self.keys]
        if missing_keys:
            self.keys.update(self.load_keys(missing_keys))
        missing_promises = [
            oid for oid, topic in later.items() if self._handler(topic)[0] == self._promise and oid not in self.promises
        ]
        if missing_promises:
            self.promises.update(self.load_promises(missing_promises))
