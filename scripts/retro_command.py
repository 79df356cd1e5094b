"""`clientocracy retro` and `clientocracy demo`: the commands that write a retrospective (text and an HTML
report with charts), for chosen teams and dates or for the sample company."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt, ViewsOpt, check_writable_file, exit_on_failure, fail
from scripts.reading import as_of_arg, caught_up_views, emit_json


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


def retro(
    team: Annotated[list[str], typer.Option("--team", help="Team key (repeat for several).")],
    start: Annotated[str, typer.Option("--from", help="Start (ISO-8601 business time).")],
    end: Annotated[str, typer.Option("--to", help="End (ISO-8601 business time).")],
    html: Annotated[Path | None, typer.Option(
        "--html", help="Also write the HTML report with charts to this file (nothing is written without it).")] = None,
    store: StoreOpt = None,
    views: ViewsOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """What changed for a team between two dates: agreements, compliance, complaints, experiments, economics."""
    from domain.read_policy import OPERATOR
    from projections.rendering import report_html
    from projections.retro import retrospective
    from projections.suggestions import unknown_teams
    from scripts import render

    with exit_on_failure():
        start_at, end_at = as_of_arg(start, "--from"), as_of_arg(end, "--to")
    if html is not None:
        check_report_file(html)
    with caught_up_views(store, views) as con:
        unknown = unknown_teams(con, team, OPERATOR)
        if unknown:
            raise fail(unknown)
        retros = [retrospective(con, t, start_at, end_at) for t in team]
    if html is not None:
        try:
            html.write_text(report_html.render(retros, f"Retrospective: {', '.join(team)}"), encoding="utf-8")
        except OSError as error:
            raise fail(f"--html {html}: cannot write the report: {error.strerror or error}", 2) from None
    if json_output:
        emit_json({"retrospectives": retros, "html": None if html is None else str(html)})
        return
    for view in retros:
        render.retro(view)
    if html is not None:
        typer.echo(f"HTML report written to {html.resolve()}")


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
