"""`clientocracy serve` and `clientocracy token issue|revoke|list`: the ledger as a shared service."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from scripts import settings
from scripts.notify_command import SmtpFromOpt, SmtpOpt, policy_from_environment, smtp_from_options
from scripts.options import JsonOpt, StoreOpt, ViewsOpt, WriteOnlyViewsOpt, fail, open_ledger
from scripts.reading import emit_json

token_app = typer.Typer(help="Access tokens for the HTTP API and the web workspace.", no_args_is_help=True)


@token_app.command("issue")
def token_issue(
    person: Annotated[str, typer.Argument(help="The person the token acts as (registered with RegisterPerson).")],
    scope: Annotated[str, typer.Option("--scope", help="write | read | ingest")] = "write",
    expires: Annotated[float | None, typer.Option("--expires", help="Days until it expires (default: never).")] = None,
    store: StoreOpt = None,
    views: WriteOnlyViewsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Issue a token; it is printed once and the store keeps only its SHA-256 digest."""
    from domain.base import DomainError
    from domain.service.tokens import is_registered, issue_token

    ledger = open_ledger(store)
    try:
        if not is_registered(ledger, person):
            typer.echo(f"warning: {person!r} is not a registered person (RegisterPerson); the token acts as "
                       f"{person!r} all the same", err=True)
        issued = issue_token(ledger, person, scope, expires)
    except DomainError as error:
        raise fail(str(error), 2) from None
    finally:
        ledger.close()
    if json_output:
        emit_json(issued.to_dict())
        return
    typer.echo(issued.token)
    typer.echo(f"token {issued.token_id} for {issued.person} ({issued.scope}), expires "
               f"{issued.expires_at.isoformat() if issued.expires_at else 'never'}; it is shown only this once",
               err=True)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token_id printed at issue.")],
    store: StoreOpt = None,
    views: WriteOnlyViewsOpt = None,
) -> None:
    """Revoke a token; every server refuses it from its next request."""
    from domain.base import DomainError
    from domain.service.tokens import revoke_token

    ledger = open_ledger(store)
    try:
        revoke_token(ledger, token_id)
    except DomainError as error:
        raise fail(str(error), 1) from None
    finally:
        ledger.close()
    typer.echo(f"token {token_id} revoked", err=True)


@token_app.command("list")
def token_list(
    person: Annotated[str | None, typer.Option("--person", help="Only this person's tokens.")] = None,
    store: StoreOpt = None,
    views: ViewsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """List tokens (never the tokens themselves): holder, scope, state, who issued and revoked them, last use."""
    from datetime import UTC, datetime

    from domain.service.token_use import with_last_used
    from domain.stores.common import opened_recorder
    from projections.token_list import token_list as listed
    from scripts.reading import caught_up_views

    with caught_up_views(store, views) as con:
        found = listed(con, person, datetime.now(UTC).replace(tzinfo=None))
    with opened_recorder(settings.store_url(store), create=False) as recorder:
        with_last_used(found, recorder)
    if json_output:
        emit_json(found)
        return
    if not found["items"]:
        typer.echo("no tokens" + (f" for {person}" if person else ""))
    for item in found["items"]:
        typer.echo(f"{item['token_id']}  {item['person']:<20} {item['scope']:<7} {item['state']:<8} "
                   f"issued {item['issued_at'][:16]} by {item['issued_by'] or 'the operator'}"
                   + (f", expires {item['expires_at'][:16]}" if item["expires_at"] else "")
                   + f", last used {item['last_used'][:16] if item['last_used'] else 'never'}")


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    store: StoreOpt = None,
    views: ViewsOpt = None,
    poll: Annotated[float, typer.Option("--poll", help="Seconds between background catch-ups.")] = 0.1,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn's log level.")] = "info",
    max_streams_per_token: Annotated[int, typer.Option(
        "--max-streams-per-token", min=1, help="Live streams (/api/events) a token may hold open; past it, 429.")] = 8,
    max_streams: Annotated[int, typer.Option(
        "--max-streams", min=1, help="Live streams this server holds open at most; past it, 429.")] = 500,
    currency: Annotated[str, typer.Option(
        "--currency", envvar="CLIENTOCRACY_CURRENCY",
        help="The currency the pages show beside amounts (e.g. EUR); none by default.")] = "",
    public_url: Annotated[str | None, typer.Option(
        "--public-url", help="Links in signals start with this address (env CLIENTOCRACY_PUBLIC_URL).")] = None,
    smtp: SmtpOpt = None,
    smtp_from: SmtpFromOpt = None,
) -> None:
    """Serve the HTTP API (and the web workspace); the server owns its views file while it runs."""
    import uvicorn

    from web.app import create_app
    from web.serving import serve_until_stopped
    from web.settings import ServerSettings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(ServerSettings(settings.store_url(store), settings.views_path(views), poll_interval=poll,
                                    max_streams_per_token=max_streams_per_token, max_streams=max_streams,
                                    currency=currency.strip()[:12], public_url=settings.public_url(public_url),
                                    smtp=smtp_from_options(smtp, smtp_from), delivery=policy_from_environment()))
    # uvicorn's access log prints the method, path and query only (never headers): tokens travel
    # only in the Authorization header, so they never reach a log.
    serve_until_stopped(uvicorn.Config(app, host=host, port=port, log_level=log_level, proxy_headers=False,
                                       server_header=False), app.state.server.stop)

