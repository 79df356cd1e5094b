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

import json
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from eventsourcing.utils import resolve_topic

from domain.adoption import Adoption
from domain.audit import channel_of
from domain.client import Client
from domain.durations import duration_seconds
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
from projections.stored_form import Row, State, decode_state, json_text, topic_names, utc_text


def _seconds(duration: str | None) -> int | None:
    return None if duration is None else duration_seconds(duration)


EVENT_LOG_ONLY: dict[str, str] = {}
"""Stored event types the views keep only as ``event_log`` rows (who, when, why), and why."""


Dispatch = tuple[Callable[[int, State, int], None] | None, tuple[str, ...], tuple[str, str]]
"""What a stored topic needs: its method (None: kept in ``event_log`` only), sealed fields, names."""


class Projector:
    """Collects rows per table for one batch of notifications, in store order."""

    PROMISE_TERMS = ("promisor", "promisee", "statement", "metric", "target", "period", "parent", "objective")

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

    # One method per event type ------------------------------------------------------

    def _client(self, pos: int, s: State, _: int) -> None:
        self.rows["clients"].append(
            (pos, s["_at"], s["key"], s["name"], s["kind"], s["description"]))

    def _person(self, pos: int, s: State, _: int) -> None:
        self.rows["people"].append((pos, s["_at"], s["key"], s["name"], s.get("email")))

    def _council(self, pos: int, s: State, _: int) -> None:
        change = "appointed" if s["_event"] == "AppointedToCouncil" else "dismissed"
        self.rows["council_changes"].append((pos, s["_at"], s["_key"], change))

    def _representative(self, pos: int, s: State, _: int) -> None:
        self.rows["client_representatives"].append((pos, s["_at"], s["_key"], s["person"]))

    def _pain(self, pos: int, s: State, _: int) -> None:
        self.rows["pains"].append(
            (pos, s["_at"], s["_key"], s["pain"], s["description"], s["severity"]))

    def _proposition(self, pos: int, s: State, _: int) -> None:
        self.rows["value_propositions"].append((
            pos, s["_at"], s["_key"], s["proposition"], s["team"], s["statement"],
            json_text(s["characteristics"]), json_text(s["pains"]),
        ))

    def _canvas(self, pos: int, s: State, _: int) -> None:
        self.rows["canvases"].append((pos, s["_at"], s["key"], s["client"], s["team"], json_text(s["factors"])))

    def _score(self, pos: int, s: State, _: int) -> None:
        canvas = s["_key"]
        for factor, score in s["scores"].items():
            self.rows["canvas_scores"].append((pos, s["_at"], canvas, s["offering"], s["ours"], factor, score))

    def _unique_factor(self, pos: int, s: State, _: int) -> None:
        self.rows["canvas_unique_factors"].append((pos, s["_at"], s["_key"], s["factor"]))

    def _team(self, pos: int, s: State, _: int) -> None:
        self.rows["teams"].append((pos, s["_at"], s["key"], s["name"]))

    def _member_added(self, pos: int, s: State, _: int) -> None:
        self.rows["team_membership"].append(
            (pos, s["_at"], s["_key"], s["person"], s["role"], "added", bool(s.get("lead"))))

    def _member_removed(self, pos: int, s: State, _: int) -> None:
        self.rows["team_membership"].append((pos, s["_at"], s["_key"], s["person"], None, "removed", False))

    def _consent(self, pos: int, s: State, _: int) -> None:
        change = "delegated" if s["_event"] == "ConsentDelegated" else "withdrawn"
        self.rows["team_consent_holders"].append((pos, s["_at"], s["_key"], s["person"], change))

    def _token(self, pos: int, s: State, _: int) -> None:
        """Who holds which token, for ``token list``; a token's digest is a credential and never projected."""
        issued = s["_event"] == "Issued"
        self.rows["tokens"].append((
            pos, s["_at"], s["_key"], s.get("person") if issued else None, s.get("scope") if issued else None,
            utc_text(s.get("expires_at")) if issued else None,
            "issued" if issued else "revoked", s["_audit"]["actor"]))

    def _rules(self, pos: int, s: State, _: int) -> None:
        times = s.get("complaint_times") or {}  # none before complaint response times (Team's upcast)
        response, resolution = times.get("complaint_response_within"), times.get("complaint_resolution_within")
        self.rows["team_rules"].append((pos, s["_at"], s["_key"], json_text(s["rules"]), response,
                                        _seconds(response), resolution, _seconds(resolution)))

    def _authority(self, pos: int, s: State, _: int) -> None:
        self.rows["team_authorities"].append(
            (pos, s["_at"], s["_key"], s["authority"], s["description"]))

    def _authority_revoked(self, pos: int, s: State, _: int) -> None:
        self.rows["authority_revocations"].append(
            (pos, s["_at"], s["_key"], s["authority"], s["_audit"]["reason"]))

    def _scheme(self, pos: int, s: State, version: int) -> None:
        scheme = s["scheme"]
        self.rows["reward_schemes"].append((
            pos, s["_at"], s["_key"], version, scheme["variant"], scheme["share"],
            scheme["carry_forward_losses"], scheme["team_weight"], scheme["split"],
            json_text(scheme["base_pay"]), json_text(scheme["hours"]), scheme["cadence"],
        ))

    def _success_metric(self, pos: int, s: State, _: int) -> None:
        self.rows["success_metrics"].append(
            (pos, s["_at"], s["_key"], s["metric"], s["target"], s["_audit"]["reason"]))

    def _metric(self, pos: int, s: State, _: int) -> None:
        self.rows["metrics"].append((pos, s["_at"], s["key"], s["name"], s["unit"], s["direction"], s.get("owner")))

    def _reading(self, pos: int, s: State, _: int) -> None:
        self.rows["readings"].append((pos, s["_at"], s["key"], s["metric"], s["value"]))

    def _promise(self, pos: int, s: State, version: int) -> None:
        oid = s["_oid"]
        event = s["_event"]
        if event == "Proposed":
            terms: State = {name: s.get(name) for name in self.PROMISE_TERMS}  # (no objective before §9)
            terms["key"] = s["key"]
            terms["status"] = "proposed"
            changes = {name: terms[name] for name in self.PROMISE_TERMS if terms[name] is not None}
            for authority in s.get("requires") or ():
                self.rows["promise_requirements"].append((pos, s["_at"], s["key"], authority))
        else:
            terms = dict(self.promises[oid])
            changes = s.get("changes") or {}
            if event != "AmendmentProposed":  # proposed terms change nothing until accepted
                terms.update(changes)
            if event == "Agreed":
                terms["status"] = "agreed"
            elif event == "Retired":
                terms["status"] = "retired"
        terms["consented"] = json_text(self._consented(event, s, terms.get("consented")))
        self.promises[oid] = terms
        audit = s["_audit"]
        self.rows["promise_history"].append((
            pos, s["_at"], terms["key"], version, event, utc_text(s["timestamp"]), audit["actor"],
            audit["reason"], audit["correlation"], json_text(changes), terms["status"], terms["promisor"],
            terms["promisee"], terms["statement"], terms["metric"], terms["target"], terms["period"],
            terms["parent"], terms["consented"], terms["objective"],
        ))

    @staticmethod
    def _consented(event: str, s: State, before: str | None) -> list[str]:
        """The sides that consented to the terms on the table after ``event`` (docs/brief.md §10): a proposal
        brings its side's consent when it is recorded (``consented``; before that field, a proposal was its
        side's consent); ``Consented`` adds one side; terms in force, declined or retired leave nothing on the
        table."""
        if event in ("Proposed", "CounterProposed", "AmendmentProposed"):
            if "consented" in s:
                return sorted(s["consented"])
            side = "promisor" if event == "Proposed" else s.get("side")
            return [side] if side else []
        if event == "Consented":
            return sorted({*json.loads(before or "[]"), s["side"]})
        return []

    def _feedback(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback"].append((
            pos, s["_at"], s["key"], s["client"], s["kind"], s["channel"], s["text"], s["rating"],
            s["team"], s["promise"], utc_text(s["occurred_at"]), s["_audit"]["correlation"],
        ))

    def _resolution(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback_resolutions"].append(
            (pos, s["_at"], s["_key"], s["resolution"], s["_audit"]["actor"]))

    def _response(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback_responses"].append((pos, s["_at"], s["_key"], s["response"], s["_audit"]["actor"]))

    def _assignment(self, pos: int, s: State, _: int) -> None:
        self.rows["feedback_assignments"].append((pos, s["_at"], s["_key"], s["team"], s["_audit"]["actor"]))

    def _ledger_entry(self, pos: int, s: State, _: int) -> None:
        self.rows["ledger_entries"].append(
            (pos, s["_at"], s["key"], s["team"], s["period"], s["kind"], s["amount"], s["description"]))

    def _experiment(self, pos: int, s: State, _: int) -> None:
        self.rows["experiments"].append(
            (pos, s["_at"], s["key"], s["team"], s["hypothesis"], s["metric"], s["design"], s["promise"],
             json_text(s.get("plan") or {})))

    def _experiment_event(self, pos: int, s: State, _: int) -> None:
        self.rows["experiment_events"].append(
            (pos, s["_at"], s["_key"], s["_event"], s.get("decision"), s.get("learning")))

    def _observation(self, pos: int, s: State, _: int) -> None:
        self.rows["observations"].append(
            (pos, s["_at"], s["_key"], s["arm"], s["value"], s.get("metric"), s.get("covariate")))

    def _observation_aggregate(self, pos: int, s: State, _: int) -> None:
        self.rows["observations"].append(
            (pos, s["_at"], s["experiment"], s["arm"], s["value"], s["metric"], s["covariate"]))

    def _arm_summary(self, pos: int, s: State, _: int) -> None:
        m = s["summary"]
        self.rows["arm_summaries"].append((
            pos, s["_at"], s["_key"], s["arm"], s["metric"], m["n"], m["sum"], m["sum_squares"],
            m.get("covariate_sum"), m.get("covariate_sum_squares"), m.get("cross_sum"),
        ))

    def _review(self, pos: int, s: State, _: int) -> None:
        self.rows["error_reviews"].append((
            pos, s["_at"], s["key"], s["team"], s["what_happened"], s["cause"], s["lesson"], s["promise"]))

    def _process_change(self, pos: int, s: State, _: int) -> None:
        self.rows["process_changes"].append(
            (pos, s["_at"], s["key"], s["team"], s["description"], s["experiment"], s["review"]))

    def _adoption(self, pos: int, s: State, _: int) -> None:
        self.rows["adoptions"].append((pos, s["_at"], s["experiment"], s["team"], s["metric"]))

    def _forgotten(self, pos: int, s: State, _: int) -> None:
        self.rows["forgotten_subjects"].append(
            (pos, s["_at"], s["subject"], s["subject_kind"], s["subject_key"], s["key_id"], s["reason"]))
