"""The `clientocracy` command: thin entrypoints over the domain, the projections and the consumers."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from scripts import settings
from scripts.options import (
    AsOfOpt,
    JsonOpt,
    StoreOpt,
    ViewsOpt,
    WriteOnlyViewsOpt,
    check_writable_file,
    exit_on_failure,
    fail,
    open_ledger,
)
from scripts.reading import as_of_arg, caught_up_views, emit_json, guarded, show

app = typer.Typer(help="The clientocracy ledger: promises, feedback and experiments as immutable events.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
promise_app = typer.Typer(help="Promises: terms, history and compliance.", no_args_is_help=True)
team_app = typer.Typer(help="Teams: members, promises, complaints and economics.", no_args_is_help=True)
experiment_app = typer.Typer(help="Experiments: arms and Welch statistics.", no_args_is_help=True)
app.add_typer(promise_app, name="promise")
app.add_typer(team_app, name="team")
app.add_typer(experiment_app, name="experiment")

@app.command("import")
def import_command(
    file: Annotated[str, typer.Argument(help="JSONL file of commands, or - for stdin.")],
    store: StoreOpt = None,
    views: WriteOnlyViewsOpt = None,
    json_output: JsonOpt = False,
    chunk: Annotated[int, typer.Option(help="Lines per transaction.", min=1)] = 2000,
) -> None:
    """Import commands, one JSON object per line; a line whose id was imported before is skipped."""
    from scripts.import_file import import_lines
    from scripts.progress import byte_progress
    from scripts.terminal import printable

    try:
        stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
    except OSError as error:
        raise fail(f"cannot read {file}: {error}", 2) from None
    ledger = open_ledger(store)  # after the file opened: a failed import creates no store
    with stream, byte_progress(stream, None if file == "-" else Path(file).stat().st_size) as lines:
        summary = import_lines(
            ledger, lines, chunk_size=chunk,
            on_error=lambda line, reason: typer.echo(f"line {line}: {printable(reason)}", err=True),
        )
    ledger.close()
    if json_output:
        emit_json(summary.to_dict())
    else:
        typer.echo(
            f"{summary.lines} lines: {summary.accepted} recorded ({summary.events} events), "
            f"{summary.skipped} already imported, {len(summary.errors)} rejected", err=True
        )
    if summary.errors:
        raise typer.Exit(1)


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


def safe_file_name(text: str) -> str:
    """A key as part of a file name: keys may hold '/' and other characters a file name cannot."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip(".") or "team"


def check_report_file(path: Path) -> None:
    """``retro --html``: writable, and never an existing file other than an HTML report (the store, say)."""
    check_writable_file(path, "--html")
    if path.is_file() and path.stat().st_size and not _looks_like_html(path):
        raise fail(f"--html {path} exists and is not an HTML report: refusing to overwrite it", 2)


def _looks_like_html(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            start = file.read(64).lstrip().lower()
    except OSError:
        return False
    return start.startswith((b"<!doctype html", b"<html"))


@app.command()
def retro(
    team: Annotated[list[str], typer.Option("--team", help="Team key (repeat for several).")],
    start: Annotated[str, typer.Option("--from", help="Start (ISO-8601 business time).")],
    end: Annotated[str, typer.Option("--to", help="End (ISO-8601 business time).")],
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    store: StoreOpt = None,
    views: ViewsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """What changed for a team between two dates: agreements, compliance, complaints, experiments, economics."""
    from projections.rendering import report_html
    from projections.retro import retrospective
    from scripts import render

    with exit_on_failure():
        start_at, end_at = as_of_arg(start, "--from"), as_of_arg(end, "--to")
    path = html or Path(f"retro-{safe_file_name('-'.join(team))}.html")
    check_report_file(path)
    with caught_up_views(store, views) as con:
        missing = [t for t in team if con.execute("SELECT 1 FROM teams WHERE team = ?", [t]).fetchone() is None]
        if missing:
            raise fail(f"unknown team(s): {', '.join(missing)}")
        retros = [retrospective(con, t, start_at, end_at) for t in team]
    try:
        path.write_text(report_html.render(retros, f"Retrospective: {', '.join(team)}"), encoding="utf-8")
    except OSError as error:
        raise fail(f"--html {path}: cannot write the report: {error.strerror or error}", 2) from None
    if json_output:
        emit_json({"retrospectives": retros, "html": str(path)})
        return
    for view in retros:
        render.retro(view)
    typer.echo(f"HTML report written to {path.resolve()}")


@app.command()
def demo(
    store: StoreOpt = None,
    views: ViewsOpt = None,
    out: Annotated[Path, typer.Option(help="Folder for the sample file and the HTML report.")] = Path(".clientocracy"),
) -> None:
    """The main job: a sample grocery chain through all 9 steps, imported, projected, and its retrospective."""
    from scripts.demo import run_demo

    if out.exists() and not out.is_dir():
        raise fail(f"--out {out} exists and is not a folder", 2)
    run_demo(settings.store_url(store), settings.views_path(views), out)


VerifyViewsOpt = Annotated[str | None, typer.Option(
    "--views", help="The views file --check-views compares (as on every command, it alone compares nothing).")]
CheckViewsOpt = Annotated[bool, typer.Option(
    "--check-views", help="Also compare the views file with a fresh projection (a bare --views means this).")]


@app.command()
def verify(store: StoreOpt = None, views: VerifyViewsOpt = None, check_views: CheckViewsOpt = False,
           json_output: JsonOpt = False) -> None:
    """Check the whole event log against its hash chain; exit 1 naming the first bad position.

    The hash chain covers the store, not the views: ``--check-views`` (or a bare ``--views``) also
    rebuilds the views in a temporary file and reports every row that differs. ``--views PATH``
    alone only names the file, as on every other command, so scripts that pass it everywhere
    still get the store-only check.
    """
    ledger = open_ledger(store, create=False)
    try:
        result = ledger.verify()
        audit = None
        if check_views:
            from projections.view_audit import audit_views

            audit = audit_views(ledger.store, settings.views_path(views or None))
    finally:
        ledger.close()
    if json_output:
        emit_json({**result.to_dict(), **({"views": audit.to_dict()} if audit else {})})
    elif result.ok:
        typer.echo(f"ok: {result.events} events, chain head {result.head}")
    else:
        typer.echo(f"TAMPERED at position {result.first_bad_position}: {result.problem} "
                   f"({result.events} events verified before it)")
    if audit is not None and not json_output:
        report_views_audit(audit)
    if not result.ok or (audit is not None and not audit.ok):
        raise typer.Exit(1)


def report_views_audit(audit: Any) -> None:
    if audit.ok:
        typer.echo(f"views ok: {audit.views} equals a fresh projection up to position {audit.position}"
                   f" (store at {audit.store_position})")
        return
    typer.echo(f"VIEWS DIFFER from a fresh projection: {audit.views} (rebuild the views: clientocracy project "
               "--rebuild)")
    for problem in audit.problems:
        typer.echo(f"  {problem}")
    for diff in audit.differences:
        typer.echo(f"  {diff.table}: {diff.missing} rows missing or changed, {diff.extra} rows extra or changed"
                   f" (first at position {diff.first_position})")


def bare_views_flag(argv: list[str]) -> list[str]:
    """`verify --views` with no path means `--check-views` (typer options cannot take an optional value)."""
    if len(argv) < 2 or argv[1] != "verify":
        return argv
    out = list(argv)
    for index, token in enumerate(out):
        if token == "--views" and (index + 1 == len(out) or out[index + 1].startswith("-")):
            out[index] = "--check-views"
    return out


def main() -> None:
    try:
        from scripts.ingest_commands import ingest_app
    except ImportError:  # pragma: no cover - only while the consumers are absent
        pass
    else:
        app.add_typer(ingest_app, name="ingest", help="Ingest client feedback from Kafka or a file.")
    from scripts.project_command import project
    from scripts.server_commands import serve, token_app

    app.command()(project)

    app.add_typer(token_app, name="token")
    app.command()(serve)
    from scripts.forget_command import forget_app

    app.add_typer(forget_app, name="forget", help="Forget a client or a person: destroy its key (crypto-shredding).")
    sys.argv = bare_views_flag(sys.argv)
    sys.exit(guarded(app))
