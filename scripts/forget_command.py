"""`clientocracy forget client|person KEY --reason TEXT`: crypto-shred a data subject (GDPR art. 17)."""

from __future__ import annotations

from typing import Annotated

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt, ViewsOpt, fail, open_ledger
from scripts.reading import emit_json

forget_app = typer.Typer(help="Forget a client or a person: destroy its key (crypto-shredding).",
                         no_args_is_help=True)

ReasonOpt = Annotated[str, typer.Option(
    "--reason", help="Why (kept in the event log for good: write no personal data here, e.g. a ticket number).")]
ActorOpt = Annotated[str | None, typer.Option("--actor", help="Who asked for it (recorded as the event's actor).")]


def forget_one(kind: str, key: str, reason: str, actor: str | None, store: str | None, views: str | None,
                   json_output: bool) -> None:
    """Destroy the key, record ``SubjectForgotten``, then rebuild the views file without the plaintext."""
    from domain.service.forget import UnknownSubject, forget_subject
    from projections.views_file import ViewsFile

    if not reason.strip():
        raise fail("--reason must not be empty", 2)
    ledger = open_ledger(store)
    try:
        path = settings.views_path(views)
        rebuilt = path.exists()
        result = forget_subject(ledger, kind, key, reason.strip(), actor=actor,
                                views=ViewsFile(ledger.store, path) if rebuilt else None)
    except UnknownSubject as error:
        raise fail(f"forget: {error}") from None
    finally:
        ledger.close()
    rebuilt = rebuilt and result.erasure is not None
    if json_output:
        emit_json({**result.to_dict(), "views_rebuilt": str(path) if rebuilt else None})
    elif result.erasure is None:
        typer.echo(f"{kind} {key!r} was already forgotten; nothing new was stored about it since")
    else:
        destroyed = ("key destroyed" if result.key_destroyed
                     else "it had no key left (text stored before encryption stays)")
        typer.echo(f"{kind} {key!r} forgotten: {destroyed}, SubjectForgotten recorded"
                   + (f", views rebuilt ({path})" if rebuilt else ""))
    if result.incomplete:
        raise fail(f"forget: {result.incomplete}")


@forget_app.command("client")
def forget_client(client: str, reason: ReasonOpt, actor: ActorOpt = None, store: StoreOpt = None,
                  views: ViewsOpt = None, json_output: JsonOpt = False) -> None:
    """Forget a client: its name, description and feedback texts read as [forgotten] from now on."""
    forget_one("client", client, reason, actor, store, views, json_output)


@forget_app.command("person")
def forget_person(person: str, reason: ReasonOpt, actor: ActorOpt = None, store: StoreOpt = None,
                  views: ViewsOpt = None, json_output: JsonOpt = False) -> None:
    """Forget a person: their name and email read as [forgotten] from now on."""
    forget_one("person", person, reason, actor, store, views, json_output)
