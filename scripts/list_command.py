"""`clientocracy list teams|promises|experiments|clients|people`: what there is, paged (docs/brief.md §8 "Lists").

The operator reads everything (``domain.read_policy.OPERATOR``); the answer is ``projections.lists``'s, the
same as ``GET /api/<kind>``'s for the council.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from projections.list_kinds import KINDS
from scripts.options import AsOfOpt, JsonOpt, StoreOpt, ViewsOpt, exit_on_failure
from scripts.reading import as_of_arg, caught_up_views, emit_json

ListKind = Enum("ListKind", {kind: kind for kind in KINDS}, type=str)  # type: ignore[misc]
LimitOpt = Annotated[int, typer.Option("--limit", min=1, max=1000, help="At most this many items (1 to 1000).")]
OffsetOpt = Annotated[int, typer.Option("--offset", min=0, help="Skip this many items first.")]


KindArg = Annotated[ListKind, typer.Argument(  # type: ignore[valid-type]
    metavar="KIND", help="teams, promises, experiments, clients or people.")]


def list_command(kind: KindArg,
                 store: StoreOpt = None, views: ViewsOpt = None, json_output: JsonOpt = False,
                 as_of: AsOfOpt = None, limit: LimitOpt = 100, offset: OffsetOpt = 0) -> None:
    """Teams, promises, experiments, clients or people, by key: {items: [{key, name, status?}], total,
    next_offset}."""
    from domain.read_policy import OPERATOR
    from projections.lists import list_items

    with exit_on_failure():
        moment = as_of_arg(as_of)
        with caught_up_views(store, views) as con:
            answer = list_items(con, kind.value, OPERATOR, moment, limit, offset)
    if json_output:
        emit_json(answer)
    else:
        print_list(kind.value, answer, offset)


def print_list(kind: str, answer: dict[str, Any], offset: int) -> None:
    from rich.table import Table

    from scripts.render import _t, console

    items = answer["items"]
    table = Table("key", "name", *(["status"] if items and "status" in items[0] else []), title=kind)
    for item in items:
        table.add_row(_t(item["key"]), _t(item["name"]), *([_t(item["status"])] if "status" in item else []))
    console.print(table)
    shown = f"{offset + 1}-{offset + len(items)}" if items else "none"
    following = answer["next_offset"]
    console.print(f"{shown} of {answer['total']}" + (f"; next: --offset {following}" if following else ""))
