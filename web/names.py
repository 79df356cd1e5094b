"""People's names on pages (docs/brief.md §8 "Pages show people's names, not keys"), in one place.

Every template shows a person with the ``person_name`` filter: ``{{ key | person_name }}``. It looks the key up
in the views' ``people`` table, read at most once per request and only by a page that shows a person. A name
labels a key the page already shows under its own read rule (a member list, a history's actor, an audit row), and
follows the one rule of who may see a person (``domain.read_policy.may_see_person``, as ``GET /api/people`` does):
people's names are open inside the company (§10), while an external client sees the teams' names, not their
people's, so a person they may not see reads ``HIDDEN``. A forgotten person reads "[forgotten]"; a key with no
registered person (the operator, a channel) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb

PEOPLE_NAMES = "SELECT person, name FROM people"
HIDDEN = "someone in the company"


def people_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {person: name for person, name in con.execute(PEOPLE_NAMES).fetchall() if name}


class Names:
    """Names by person key, loaded on first use by ``load`` (a read of the server's views)."""

    def __init__(self, load: Callable[[], dict[str, str]], visible: Callable[[str], bool]) -> None:
        self._load = load
        self._visible = visible
        self._names: dict[str, str] | None = None

    def __call__(self, person: Any) -> str:
        if person is None or person == "":
            return ""
        if self._names is None:
            self._names = self._load()
        key = str(person)
        if key not in self._names:
            return key
        return self._names[key] if self._visible(key) else HIDDEN
