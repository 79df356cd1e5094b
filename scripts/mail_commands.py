"""`clientocracy mail deliveries`: what became of each e-mail of the signals (``notifications.email``)."""

from __future__ import annotations

from typing import Annotated

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt
from scripts.reading import emit_json

mail_app = typer.Typer(help="E-mail of the signals (sent by `serve` and `notify` with --smtp).", no_args_is_help=True)


@mail_app.command("deliveries")
def mail_deliveries(
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000, help="The newest this many.")] = 100,
    store: StoreOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """The newest e-mails: to whom (the person's key), about what, state, attempts, last error (never an address
    or a body)."""
    from domain.stores.common import opened_recorder
    from notifications.email.listing import mail_deliveries as listed

    with opened_recorder(settings.store_url(store), create=False) as recorder:
        found = listed(recorder, limit)
    if json_output:
        emit_json({"items": found})
        return
    if not found:
        typer.echo("no e-mail deliveries")
    for m in found:
        typer.echo(f"{m['mail_id']}  {m['state']:<8} {m['person']}  {m['subject']}  attempts={m['attempts']}"
                   + (f"  ({m['last_error']})" if m["last_error"] else ""))
