"""`clientocracy retro` and `clientocracy demo`: the commands that write a retrospective (text and an HTML
report with charts), for chosen teams and dates or for the sample company."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt, ViewsOpt, check_writable_file, exit_on_failure, fail
from scripts.reading import as_of_arg, caught_up_views, emit_json


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
    from domain.read_policy import OPERATOR
    from projections.rendering import report_html
    from projections.retro import retrospective
    from projections.suggestions import unknown_teams
    from scripts import render

    with exit_on_failure():
        start_at, end_at = as_of_arg(start, "--from"), as_of_arg(end, "--to")
    path = html or Path(f"retro-{safe_file_name('-'.join(team))}.html")
    check_report_file(path)
    with caught_up_views(store, views) as con:
        unknown = unknown_teams(con, team, OPERATOR)
        if unknown:
            raise fail(unknown)
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
