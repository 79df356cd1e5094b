"""Step 7's growth: a team takes up the change of an experiment another team proved (docs/brief.md §11).

An adoption is an aggregate of its own, keyed by the experiment and the adopting team, rather than an event of
the experiment: the experiment's version then stays the one its observations were judged by
(``domain.stores.guards``), two teams adopting at once never contend for its version numbers, and each
adoption keeps its own business time (a team may record an adoption dated before another team's).
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import event

from domain.audit import Audit
from domain.base import DomainError, LedgerAggregate, TooEarly
from domain.experiment import Experiment


def adoption_key(experiment: str, team: str) -> str:
    """One adoption per experiment and team: the key says which."""
    return f"{experiment}/{team}"


class Adoption(LedgerAggregate):
    """``team`` runs the change ``experiment`` proved; ``metric`` (the team's own) is where its effect should show."""

    KIND = "adoption"

    @event("Recorded")
    def __init__(self, key: str, experiment: str, team: str, metric: str, audit: Audit) -> None:
        self.key = key
        self.experiment = experiment
        self.team = team
        self.metric = metric


PROVEN = "AdoptSolution: only a proven solution (an experiment concluded 'adopt') is adopted"
ANOTHER_TEAM = "AdoptSolution: the team that ran the experiment runs its change already; another team adopts it"
ONCE_PER_TEAM = "AdoptSolution: a team adopts a solution once"
OWN_METRIC = "AdoptSolution: the effect is measured on a metric the adopting team owns"
ADOPTION_RULES = (PROVEN, ANOTHER_TEAM, ONCE_PER_TEAM, OWN_METRIC)
"""The rules an adoption is judged by, each named by the refusal that breaks it."""


def check_adoption(experiment: Experiment, team: str, metric: str, metric_owner: str | None, adopted: bool,
                   at: datetime) -> None:
    """Refuse an adoption that breaks a rule (``DomainError`` whose message starts with the rule)."""
    if experiment.status != "concluded" or experiment.decision != "adopt":
        state = (f"was concluded {experiment.decision!r}" if experiment.status == "concluded"
                 else f"is {experiment.status}")
        raise DomainError(f"{PROVEN}; experiment {experiment.key!r} {state}")
    if experiment.last_at > at:  # its conclusion is its latest event
        raise TooEarly(f"{PROVEN}; experiment {experiment.key!r} was concluded at "
                       f"{experiment.last_at.isoformat()}, after {at.isoformat()}", experiment.last_at)
    if team == experiment.team:
        raise DomainError(f"{ANOTHER_TEAM}; team {team!r} ran experiment {experiment.key!r}")
    if adopted:
        raise DomainError(f"{ONCE_PER_TEAM}; team {team!r} adopted experiment {experiment.key!r} already")
    if metric_owner != team:
        owner = f"team {metric_owner!r}'s" if metric_owner else "owned by no team"
        raise DomainError(f"{OWN_METRIC}; metric {metric!r} is {owner}, not team {team!r}'s")
