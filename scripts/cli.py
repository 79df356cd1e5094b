"""The `clientocracy` command: registers the commands, each a thin entrypoint in a module of its own over the
domain, the projections and the consumers (the three show commands, a line each, live here)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from scripts.forget_command import forget_app
from scripts.import_command import import_command
from scripts.ingest_commands import ingest_app
from scripts.list_command import list_command
from scripts.mail_commands import mail_app
from scripts.notify_command import notify
from scripts.options import AsOfOpt, JsonOpt, StoreOpt, ViewsOpt, exit_on_failure
from scripts.project_command import project
from scripts.reading import guarded, show
from scripts.retro_command import demo, retro
from scripts.server_commands import serve, token_app
from scripts.verify_command import bare_views_flag, verify
from scripts.webhook_commands import webhook_app

app = typer.Typer(help="The clientocracy ledger: promises, feedback and experiments as immutable events.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
promise_app = typer.Typer(help="Promises: terms, history and compliance.", no_args_is_help=True)
team_app = typer.Typer(help="Teams: members, promises, complaints and economics.", no_args_is_help=True)


def _version(shown: bool) -> None:
    if shown:
        from scripts.version import package_version

        typer.echo(f"clientocracy {package_version()}")
        raise typer.Exit()


@app.callback()
def _options(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the installed version and exit.")] = False) -> None:
    """The clientocracy ledger: promises, feedback and experiments as immutable events."""


experiment_app = typer.Typer(help="Experiments: arms and Welch statistics.", no_args_is_help=True)
client_app = typer.Typer(help="Clients: pains, value propositions, strategy canvases, promises, complaints.",
                         no_args_is_help=True)


@promise_app.command("show")
def promise_show(promise: str, store: StoreOpt = None, views: ViewsOpt = None, json_output: JsonOpt = False,
                 as_of: AsOfOpt = None) -> None:
    """A promise's terms, its full negotiation history, and compliance per period."""
    with exit_on_failure():
        show("promise", promise, store, views, json_output, as_of)


@team_app.command("show")
def team_show(team: str, store: StoreOpt = None, views: ViewsOpt = None, json_output: JsonOpt = False,
              as_of: AsOfOpt = None,
              all_complaints: Annotated[bool, typer.Option(
                  "--all", help="List every open complaint (default: the newest 100; the count is always whole)."
              )] = False) -> None:
    """A team's members, promises, open complaints (the newest 100 and how many in all) and economics."""
    with exit_on_failure():
        show("team", team, store, views, json_output, as_of, **({"limit": None} if all_complaints else {}))


@experiment_app.command("show")
def experiment_show(experiment: str, store: StoreOpt = None, views: ViewsOpt = None, json_output: JsonOpt = False,
                    as_of: AsOfOpt = None) -> None:
    """An experiment's arms, effect, Welch 95% interval and p-value, and the decision."""
    with exit_on_failure():
        show("experiment", experiment, store, views, json_output, as_of)


@client_app.command("show")
def client_show(client: str, store: StoreOpt = None, views: ViewsOpt = None, json_output: JsonOpt = False,
                as_of: AsOfOpt = None,
                all_complaints: Annotated[bool, typer.Option(
                    "--all", help="List every open complaint (default: the newest 100; the count is always whole)."
                )] = False) -> None:
    """A client's steps 1-4 (pains, value propositions, strategy canvases), promises, complaints and NPS."""
    with exit_on_failure():
        show("client", client, store, views, json_output, as_of, **({"limit": None} if all_complaints else {}))


def signals_command(
        store: StoreOpt = None, views: ViewsOpt = None, json_output: JsonOpt = False,
        as_of: Annotated[str | None, typer.Option(
            "--as-of", help="The signals active at this ISO-8601 business time (default: now).")] = None,
        team: Annotated[str | None, typer.Option("--team", help="Only this team's signals.")] = None,
        client: Annotated[str | None, typer.Option("--client", help="Only this client's signals.")] = None,
        person: Annotated[str | None, typer.Option(
            "--for", help="As this person may see them (their teams and represented clients; the council all).")
        ] = None,
        include_cleared: Annotated[bool, typer.Option("--all", help="Add the signals cleared by then.")] = False,
        public_url: Annotated[str | None, typer.Option(
            "--public-url", help="Links start with this address (env CLIENTOCRACY_PUBLIC_URL).")] = None) -> None:
    """What needs attention (docs/brief.md §9): {signals: [{id, kind, severity, subject, team, client, raised_at,
    because, url}]}."""
    from scripts.signals_command import signals

    with exit_on_failure():
        signals(store, views, json_output, as_of, team, client, person, include_cleared, public_url)


# In the order `clientocracy --help` lists them.
app.command("import")(import_command)
app.command("list")(list_command)
app.add_typer(promise_app, name="promise")
app.add_typer(team_app, name="team")
app.add_typer(experiment_app, name="experiment")
app.add_typer(client_app, name="client")
app.command("signals")(signals_command)
app.command()(retro)
app.command()(demo)
app.command()(verify)
app.add_typer(ingest_app, name="ingest", help="Ingest client feedback from Kafka or a file.")
app.command()(project)
app.add_typer(token_app, name="token")
app.command()(serve)
app.add_typer(forget_app, name="forget", help="Forget a client or a person: destroy its key (crypto-shredding).")
app.add_typer(webhook_app, name="webhook")
app.add_typer(mail_app, name="mail")
app.command()(notify)


def main() -> None:
    sys.argv = bare_views_flag(sys.argv)
    sys.exit(guarded(app))
