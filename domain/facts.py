"""The facts the permission table asks about, read from the aggregates a batch has loaded.

Most answers come from one aggregate (a person, a team, a promise). Two questions cross
aggregates - "is this person in any team?" and "which teams have a promise on this metric?" -
and come from a ``CrossIndex`` (the server answers them from its caught-up views), together
with whatever this batch itself has changed, so a batch that forms a team and then acts in it
is judged on its own earlier commands too.
"""

from __future__ import annotations

from typing import Any, Protocol

from domain.base import LedgerAggregate
from domain.client import Client
from domain.experiment import Experiment
from domain.feedback import Feedback
from domain.metric import Metric
from domain.person import Person
from domain.promise import Promise
from domain.service.unit_of_work import UnitOfWork
from domain.sides import consenting_sides, may_consent_for_team, on_promisee_side, on_promisor_side
from domain.team import Team


class CrossIndex(Protocol):
    """Candidates only: every team it names is checked against the team itself, so an index a moment
    behind the store can only miss something (then ``refresh`` brings it up to date), never let in."""

    def teams_of(self, person: str) -> set[str]: ...
    def promisor_teams_on(self, metric: str) -> set[str]:
        """Teams with a promise in force (agreed, not retired) on ``metric``."""
        ...

    def clients_of(self, person: str) -> set[str]:
        """Clients ``person`` represents."""
        ...

    def refresh(self) -> bool: ...


class NoIndex:
    """Only what the batch has loaded (for callers without views)."""

    def teams_of(self, person: str) -> set[str]:
        return set()

    def promisor_teams_on(self, metric: str) -> set[str]:
        return set()

    def clients_of(self, person: str) -> set[str]:
        return set()

    def refresh(self) -> bool:
        return False


class UnitOfWorkFacts:
    def __init__(self, uow: UnitOfWork, index: CrossIndex | None = None) -> None:
        self.uow = uow
        self.index = index or NoIndex()
        self._teams_of: dict[str, set[str]] = {}  # the index's answers, asked once per batch
        self._teams_on: dict[str, set[str]] = {}
        self._refreshed = False
        self._promising: dict[tuple[str, str, int, int], bool] = {}

    def _refresh_index(self) -> bool:
        """Bring the index up to date (once per batch), when a "no" might only mean it was behind."""
        if self._refreshed:
            return False
        self._refreshed = True
        if not self.index.refresh():
            return False
        self._teams_of.clear()
        self._teams_on.clear()
        return True

    def _index_teams_of(self, person: str) -> set[str]:
        if person not in self._teams_of:
            self._teams_of[person] = self.index.teams_of(person)
        return self._teams_of[person]

    def _index_teams_on(self, metric: str) -> set[str]:
        if metric not in self._teams_on:
            self._teams_on[metric] = self.index.promisor_teams_on(metric)
        return self._teams_on[metric]

    def council(self, person: str) -> bool:
        found = self.uow.find(Person, person)
        return found is not None and found.council

    def _team(self, team: str | None) -> Team | None:
        return self.uow.find(Team, team) if team else None

    def member(self, team: str | None, person: str) -> bool:
        found = self._team(team)
        return found is not None and person in found.members

    def lead(self, team: str | None, person: str) -> bool:
        found = self._team(team)
        return found is not None and person in found.leads

    def consents_for_team(self, team: str | None, person: str) -> bool:
        """The team's lead or a consent holder the lead named (docs/brief.md §10)."""
        return team is not None and may_consent_for_team(self.uow, person, team)

    def _loaded(self, cls: type[LedgerAggregate]) -> list[Any]:
        return list(self.uow.by_kind.get(cls.KIND, {}).values())

    def in_any_team(self, person: str) -> bool:
        if any(person in t.members for t in self._loaded(Team)):
            return True
        for _ in range(2):  # the index as it is, then (only to turn a "no" into a "yes") brought up to date
            if any(self.member(team, person) for team in self._index_teams_of(person)):
                return True
            if not self._refresh_index():
                return False
        return False

    def represents(self, client: str, person: str) -> bool:
        found = self.uow.find(Client, client)
        return found is not None and person in found.representatives

    def represents_any(self, person: str) -> bool:
        if any(person in c.representatives for c in self._loaded(Client)):
            return True
        for _ in range(2):  # as in ``in_any_team``
            if any(self.represents(client, person) for client in self.index.clients_of(person)):
                return True
            if not self._refresh_index():
                return False
        return False

    def _promise(self, key: str) -> Promise | None:
        return self.uow.find(Promise, key)

    def promisor_member(self, promise: str, person: str) -> bool:
        found = self._promise(promise)
        return found is not None and on_promisor_side(self.uow, person, found)

    def promisee_side(self, promise: str, person: str) -> bool:
        found = self._promise(promise)
        return found is not None and on_promisee_side(self.uow, person, found)

    def may_consent_now(self, promise: str, person: str) -> bool:
        """May ``person`` consent for a side whose consent the terms on the table still need (docs/brief.md §10)?
        With nothing on the table, anyone who may consent for a side (the handler says what is wrong)."""
        found = self._promise(promise)
        if found is None:
            return False
        sides = consenting_sides(self.uow, person, found)
        waiting = found.waiting_sides()
        return bool(sides & waiting) if waiting else bool(sides)

    def may_consent_for_a_side(self, promise: str, person: str) -> bool:
        found = self._promise(promise)
        return found is not None and bool(consenting_sides(self.uow, person, found))

    def proposed_pending_amendment(self, promise: str, person: str) -> bool:
        found = self._promise(promise)
        return found is not None and found.pending_amendment is not None and found.pending_amendment["by"] == person

    def member_of_team_promising_on(self, metric: str, person: str) -> bool:
        """Remembered for the batch while it changes no team or promise (a batch of readings asks once)."""
        key = (metric, person, self.uow.changes.get(Team.KIND, 0), self.uow.changes.get(Promise.KIND, 0))
        found = self._promising.get(key)
        if found is None:
            found = self._promising[key] = self._member_of_team_promising_on(metric, person)
        return found

    def _member_of_team_promising_on(self, metric: str, person: str) -> bool:
        loaded = {p.promisor for p in self._loaded(Promise) if p.metric == metric and p.status == "agreed"}
        for _ in range(2):  # as in ``in_any_team``
            if any(self.member(team, person) for team in loaded | self._index_teams_on(metric)):
                return True
            if not self._refresh_index():
                return False
        return False

    def metric_owner(self, metric: str) -> str | None:
        found = self.uow.find(Metric, metric)
        return found.owner if found is not None else None

    def feedback_team(self, feedback_id: str) -> str | None:
        found = self.uow.find(Feedback, feedback_id)
        if found is None:
            return None
        if found.team:
            return str(found.team)
        promise = self._promise(found.promise) if found.promise else None
        return promise.promisor if promise is not None else None

    def experiment_team(self, experiment: str) -> str | None:
        found = self.uow.find(Experiment, experiment)
        return found.team if found is not None else None
