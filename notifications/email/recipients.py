"""Who a signal concerns, and their addresses, as the views tell now: a team's members for a team's signal (and
the other teams that see it), a client's representatives for a client's, the council for every signal — the same
people who may read it (docs/brief.md §9). An address is personal text: a forgotten person has none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from domain.personal_data import FORGOTTEN
from projections.signals.model import Signal

_PEOPLE = """
SELECT person, email FROM people
WHERE email IS NOT NULL AND email <> $forgotten
  AND person NOT IN (SELECT subject_key FROM forgotten_subjects WHERE subject_kind = 'person')
"""
_COUNCIL = """
SELECT person FROM council_changes QUALIFY row_number() OVER (PARTITION BY person ORDER BY position DESC) = 1
    AND change = 'appointed'
"""


@dataclass(frozen=True)
class Directory:
    addresses: dict[str, str] = field(default_factory=dict)
    council: frozenset[str] = frozenset()
    members: dict[str, frozenset[str]] = field(default_factory=dict)
    representatives: dict[str, frozenset[str]] = field(default_factory=dict)

    def concerned(self, signal: Signal) -> list[str]:
        """The people with an address whom ``signal`` concerns, by key (sorted: the same order everywhere)."""
        people = set(self.council)
        for team in signal.audience_teams:
            people |= self.members.get(team, frozenset())
        if signal.client:
            people |= self.representatives.get(signal.client, frozenset())
        return sorted(p for p in people if p in self.addresses)


def directory(con: duckdb.DuckDBPyConnection) -> Directory:
    """Read from the views in four small queries."""
    addresses = dict(con.execute(_PEOPLE, {"forgotten": FORGOTTEN}).fetchall())
    members: defaultdict[str, set[str]] = defaultdict(set)
    for team, person in con.execute("SELECT team, person FROM team_members").fetchall():
        members[team].add(person)
    representatives: defaultdict[str, set[str]] = defaultdict(set)
    for client, person in con.execute("SELECT client, person FROM client_representatives").fetchall():
        representatives[client].add(person)
    council = frozenset(p for (p,) in con.execute(_COUNCIL).fetchall())
    return Directory(addresses, council, {k: frozenset(v) for k, v in members.items()},
                     {k: frozenset(v) for k, v in representatives.items()})
