"""`clientocracy webhook add|list|remove|deliveries`: where signals are delivered, and what became of each."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt, fail
from scripts.reading import emit_json

if TYPE_CHECKING:
    from domain.stores.port import LedgerStore

webhook_app = typer.Typer(help="Webhook endpoints that receive signals (Standard Webhooks or Slack).",
                          no_args_is_help=True)


@contextmanager
def _store(store: str | None, *, create: bool) -> Iterator[LedgerStore]:
    from domain.stores.common import opened_recorder

    with opened_recorder(settings.store_url(store), create=create) as recorder:
        yield recorder


@webhook_app.command("add")
def webhook_add(
    url: Annotated[str, typer.Argument(help="An http(s) URL that receives a POST per new signal.")],
    team: Annotated[str | None, typer.Option("--team", help="Only the signals of this team.")] = None,
    kinds: Annotated[str | None, typer.Option("--kinds", help="Only these kinds, comma-separated.")] = None,
    format: Annotated[str, typer.Option("--format", help="standard | slack")] = "standard",
    store: StoreOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Add an endpoint; its signing secret is printed once (the store keeps it sealed)."""
    from notifications.webhooks.addresses import RefusedUrl, shown
    from notifications.webhooks.endpoints import EndpointError, add_endpoint

    chosen = [k.strip() for k in (kinds or "").split(",") if k.strip()]
    with _store(store, create=True) as recorder:
        try:
            endpoint, secret = add_endpoint(recorder, url, team, chosen, format)
        except (RefusedUrl, EndpointError) as error:
            raise fail(f"webhook add: {error}", 2) from None
    if json_output:
        emit_json({**endpoint.to_dict(), "secret": secret})
        return
    typer.echo(secret)
    typer.echo(f"webhook {endpoint.id} -> {shown(endpoint.url)}; the secret above is shown only this once", err=True)


@webhook_app.command("list")
def webhook_list(store: StoreOpt = None, json_output: JsonOpt = False) -> None:
    """The endpoints (never their secrets)."""
    from domain.stores.webhook_tables import webhooks_in
    from notifications.webhooks.addresses import shown
    from notifications.webhooks.endpoints import endpoints

    with _store(store, create=False) as recorder:
        found = endpoints(webhooks_in(recorder))
    if json_output:
        emit_json({"items": [e.to_dict() for e in found]})
        return
    if not found:
        typer.echo("no webhooks")
    for e in found:
        typer.echo(f"{e.id}  {e.state:<8} {e.format:<8} {shown(e.url)}  team={e.team or '*'} "
                   f"kinds={','.join(e.kinds) or '*'}" + (f"  ({e.reason})" if e.reason else ""))


@webhook_app.command("remove")
def webhook_remove(endpoint_id: Annotated[str, typer.Argument(help="The id `webhook add` printed.")],
                   store: StoreOpt = None) -> None:
    """Stop delivering to an endpoint and destroy its secret."""
    from notifications.webhooks.endpoints import EndpointError, remove_endpoint

    with _store(store, create=True) as recorder:
        try:
            remove_endpoint(recorder, endpoint_id)
        except EndpointError as error:
            raise fail(f"webhook remove: {error}", 1) from None
    typer.echo(f"webhook {endpoint_id} removed", err=True)


@webhook_app.command("deliveries")
def webhook_deliveries(
    limit: Annotated[int, typer.Option("--limit", min=1, max=10000, help="The newest this many.")] = 100,
    store: StoreOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """The newest deliveries and every attempt of each: time, status, duration (never a body)."""
    from notifications.webhooks.listing import deliveries

    with _store(store, create=False) as recorder:
        found = deliveries(recorder, limit)
    if json_output:
        emit_json({"items": found})
        return
    if not found:
        typer.echo("no deliveries")
    for d in found:
        typer.echo(f"{d['webhook_id']}  {d['state']:<9} {d['endpoint_id']} {d['kind']} {d['signal_id']}")
        for a in d["attempts"]:
            typer.echo(f"    #{a['number']} {a['at']} {a['outcome']:<11} status={a['status']} "
                       f"{a['duration_ms']} ms")
