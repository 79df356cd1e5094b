"""Who may read what (docs/brief.md §10 "Reads"): one table of read rules and the questions it answers.

Writes have the permission table (``domain.policy``); reads have this one. A ``Viewer`` is what the
rules need to know of a person: the council, the teams they belong to and lead, the clients they
represent and the clients their teams are concerned with. It is built from the views (never by a
store replay) and is hashable, so an answer redacted for one viewer can be cached for the same viewer
only. The trusted operator (``OPERATOR``) reads everything, as the council does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadRule:
    rule: str  # the name a 403 or a ``redacted`` answer refers to
    what: str
    who: str


OPEN = ReadRule("read:open", "teams, members' names and roles, promises with their terms, history and "
                "compliance, team-level economics (revenue, costs, net profit, bonus pool), experiments' "
                "outcomes", "every signed-in person of the company")
PAY = ReadRule("read:pay", "per-person pay and payouts", "the person, their team's lead, the council")
CLIENT_DATA = ReadRule("read:client-data", "complaint and feedback texts, a client's personal fields "
                       "(name, description)", "the team concerned, the client's representatives, the council")
AUDIT = ReadRule("read:audit", "the audit trail", "the council: all; others: the events of their teams, "
                 "their promises and the clients they represent")
EXTERNAL = ReadRule("read:internal", "what an external client (in no team, representing clients) reads",
                    "their clients, the promises made to them and the teams' names; never internal economics, "
                    "pay, other clients, value propositions, canvases, experiments or retrospectives")

READ_RULES: tuple[ReadRule, ...] = (OPEN, PAY, CLIENT_DATA, AUDIT, EXTERNAL)
"""The read rules, in the order of the README's "Who may read what" table."""


@dataclass(frozen=True)
class Viewer:
    """A reader as the rules see them (``person`` None: the trusted operator)."""

    person: str | None
    council: bool = False
    teams: frozenset[str] = frozenset()
    leads: frozenset[str] = frozenset()
    clients: frozenset[str] = frozenset()
    """Clients this person represents."""
    concerned: frozenset[str] = frozenset()
    """Clients their teams are concerned with: a promise, proposition, canvas or feedback for it (filled
    only where a client's personal fields are shown: ``projections.read_rules.with_concerned``)."""

    @property
    def external(self) -> bool:
        """In no team and not on the council: an external client, read as one even before they represent any
        client (someone removed from their last team, an ingest-only desk): internal reads are granted by
        belonging, never by default."""
        return not self.council and not self.teams

    def audience(self) -> Viewer:
        """The viewer an answer is cached for: the council all share the unrestricted one."""
        return OPERATOR if self.council else self


OPERATOR = Viewer(None, council=True)


def may_see_internal(viewer: Viewer) -> bool:
    """Economics, members, value propositions, canvases, experiments, retrospectives (§10: not an
    external client's)."""
    return not viewer.external


def may_see_pay(viewer: Viewer, team: str, person: str) -> bool:
    return viewer.council or person == viewer.person or team in viewer.leads


def may_see_feedback_text(viewer: Viewer, team: str | None, client: str | None) -> bool:
    """A feedback's text: the team concerned (the one it is about), its client's representatives, the council."""
    return viewer.council or (team is not None and team in viewer.teams) or client in viewer.clients


def may_see_client_details(viewer: Viewer, client: str) -> bool:
    """A client's personal fields (name, description)."""
    return viewer.council or client in viewer.clients or client in viewer.concerned


def may_see_client(viewer: Viewer, client: str) -> bool:
    """That the client exists at all (an external client sees only their own)."""
    return not viewer.external or client in viewer.clients


def may_see_promise(viewer: Viewer, promisee: str) -> bool:
    return not viewer.external or promisee in viewer.clients


def may_see_person(viewer: Viewer, person: str) -> bool:
    """A person in the lists: the company's people are open inside it; an external client sees only themselves."""
    return not viewer.external or person == viewer.person


def sees_all_events(viewer: Viewer) -> bool:
    """The whole audit trail (and every position of the live stream)."""
    return viewer.council
