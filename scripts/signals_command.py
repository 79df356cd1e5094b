"""`clientocracy signals`: the signals active as of a time (docs/brief.md §9), as the operator or a person sees them.

Without ``--as-of`` the time is now (signals raised by time alone, a deadline passing, need a real "now"), not
"everything recorded". Kept free of the CLI framework so the entry point's short road can run it.
"""

from __future__ import annotations

from typing import Any

from scripts import settings
from scripts.reading import CommandFailed, as_of_arg, caught_up_views, emit_json

KNOWN_PERSON = """
SELECT 1 FROM people WHERE person = $person UNION ALL SELECT 1 FROM team_membership WHERE person = $person
UNION ALL SELECT 1 FROM client_representatives WHERE person = $person
UNION ALL SELECT 1 FROM council_changes WHERE person = $person LIMIT 1
"""


def signals(store: str | None, views: str | None, json_output: bool, as_of: str | None, team: str | None,
            client: str | None, person: str | None, include_cleared: bool, public_url: str | None) -> None:
    from domain.read_policy import OPERATOR
    from projections.read_rules import viewer_of
    from projections.signals.active import now_for_signals, signals_answer

    moment = as_of_arg(as_of) if as_of is not None else now_for_signals()
    with caught_up_views(store, views) as con:
        if person is not None and not con.execute(KNOWN_PERSON, {"person": person}).fetchone():
            raise CommandFailed(f"--for {person!r}: no such person", 1)
        viewer = viewer_of(con, person) if person is not None else OPERATOR
        answer = signals_answer(con, moment, viewer, team=team, client=client, include_cleared=include_cleared,
                                public_url=settings.public_url(public_url))
    if json_output:
        emit_json(answer)
    else:
        print_signals(answer["signals"], include_cleared)


def print_signals(found: list[dict[str, Any]], include_cleared: bool) -> None:
    from rich.table import Table

    from projections.signals.model import kind_in_words
    from scripts.render import _t, console

    table = Table("severity", "signal", "subject", "team", "client", "since",
                  *(["cleared"] if include_cleared else []), title=f"signals ({len(found)})")
    for s in found:
        table.add_row(_t(s["severity"]), _t(kind_in_words(s["kind"])), _t(f"{s['subject']['type']} "
                      f"{s['subject']['key']}"), _t(s["team"] or "-"), _t(s["client"] or "-"), _t(s["raised_at"]),
                      *([_t(s.get("cleared_at") or "-")] if include_cleared else []))
    console.print(table if found else "No signals.")
