"""A builder for the preamble most tests write by hand: team -> client -> metric -> promise, agreed.

    Scenario(at=AT).team("ops").client("shop").metric("ontime").promise("p", "On time", 90).agreed()

Each step appends one command line (a dict, as a JSONL line holds it); ``lines()``, ``jsonl()`` and
``commands()`` give them as dicts, JSON Lines or validated commands, and a scenario unpacks like a list
(``[*scenario, reading]``). Names default to the key capitalized and a step's team, client, metric or promise to
the last one named; every field can be given or overridden by keyword (``id``, ``at``, ``actor``, ``name``...),
so a test that depends on exact values keeps them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from tests.support.cli import jsonl

Line = dict[str, Any]

# The metrics the tests use, with the fields they give them; any other key gets GENERIC_METRIC.
METRICS: dict[str, Line] = {
    "ontime": {"name": "On time", "unit": "%", "direction": "higher_is_better"},
    "late": {"name": "Late orders", "unit": "count", "direction": "lower_is_better"},
    "wait": {"name": "Wait", "unit": "min", "direction": "lower_is_better"},
}
GENERIC_METRIC: Line = {"unit": "u", "direction": "higher_is_better"}


class Scenario:
    """Command lines in the order a company comes to be; every step returns the scenario, to chain."""

    def __init__(self, at: str | None = None) -> None:
        self._lines: list[Line] = []
        self._at = at
        self._last: dict[str, str] = {}

    # -- any line -------------------------------------------------------------------------------------------------

    def add(self, type_: str, **fields: Any) -> Scenario:
        """One command line of any type; it gets the scenario's business time unless it names its own ``at``."""
        line: Line = {"type": type_, **fields}
        if self._at is not None and "at" not in line:
            line["at"] = self._at
        self._lines.append(line)
        return self

    def at(self, when: str | None) -> Scenario:
        """The business time of the lines added from here on (``None``: none, the store's clock)."""
        self._at = when
        return self

    def _named(self, kind: str, key: str) -> str:
        self._last[kind] = key
        return key

    def _current(self, kind: str, key: str | None) -> str:
        if key is not None:
            return key
        if kind not in self._last:
            raise ValueError(f"the scenario has no {kind} yet: name one")
        return self._last[kind]

    # -- people ---------------------------------------------------------------------------------------------------

    def person(self, person: str, name: str | None = None, **fields: Any) -> Scenario:
        return self.add("RegisterPerson", person=person, name=name or person.capitalize(), **fields)

    def council(self, person: str, **fields: Any) -> Scenario:
        return self.add("AppointCouncil", person=person, **fields)

    # -- the preamble ---------------------------------------------------------------------------------------------

    def team(self, team: str, name: str | None = None, **fields: Any) -> Scenario:
        return self.add("FormTeam", team=self._named("team", team), name=name or team.capitalize(), **fields)

    def member(self, person: str, role: str = "member", *, lead: bool = False, team: str | None = None,
               **fields: Any) -> Scenario:
        """A member of the last team (``lead`` is written only when true, as the tests write it)."""
        extra = {"lead": True} if lead else {}
        return self.add("AddMember", team=self._current("team", team), person=person, role=role, **extra, **fields)

    def client(self, client: str, name: str | None = None, kind: str = "external", **fields: Any) -> Scenario:
        return self.add("IdentifyClient", client=self._named("client", client), name=name or client.capitalize(),
                        kind=kind, **fields)

    def represent(self, person: str, client: str | None = None, **fields: Any) -> Scenario:
        return self.add("RepresentClient", client=self._current("client", client), person=person, **fields)

    def metric(self, metric: str, **fields: Any) -> Scenario:
        """A metric with the fields the tests give it (``METRICS``), each overridable."""
        known = METRICS.get(metric, {"name": metric.capitalize(), **GENERIC_METRIC})
        return self.add("DefineMetric", metric=self._named("metric", metric), **{**known, **fields})

    def promise(self, promise: str, statement: str, target: float, period: str = "week", *,
                promisor: str | None = None, promisee: str | None = None, metric: str | None = None,
                **fields: Any) -> Scenario:
        """A proposed promise: by default the last team promises the last client on the last metric."""
        return self.add("ProposePromise", promise=self._named("promise", promise),
                        promisor=self._current("team", promisor), promisee=self._current("client", promisee),
                        statement=statement, metric=self._current("metric", metric), target=target, period=period,
                        **fields)

    def agreed(self, promise: str | None = None, **fields: Any) -> Scenario:
        """The last promise (or the one named) agreed."""
        return self.add("AgreePromise", promise=self._current("promise", promise), **fields)

    def reading(self, value: float, metric: str | None = None, **fields: Any) -> Scenario:
        return self.add("RecordReading", metric=self._current("metric", metric), value=value, **fields)

    # -- what it gives ----------------------------------------------------------------------------------------------

    def lines(self) -> list[Line]:
        """The command lines, each a fresh copy (a test may change its own)."""
        return copy.deepcopy(self._lines)

    def __iter__(self) -> Iterator[Line]:
        return iter(self.lines())

    def jsonl(self) -> str:
        return jsonl(self._lines)

    def commands(self) -> list[Any]:
        """The lines parsed into commands as import parses a line (``domain.commands.parse_command``)."""
        from domain.commands import parse_command

        return [parse_command(json.dumps(line)) for line in self._lines]
