"""`clientocracy verify [--check-views]`: the event log against its hash chain, and the views against a fresh
projection."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt, open_ledger
from scripts.reading import emit_json

VerifyViewsOpt = Annotated[str | None, typer.Option(
    "--views", help="The views file --check-views compares (as on every command, it alone compares nothing).")]
CheckViewsOpt = Annotated[bool, typer.Option(
    "--check-views", help="Also compare the views file with a fresh projection (a bare --views means this).")]


def verify(store: StoreOpt = None, views: VerifyViewsOpt = None, check_views: CheckViewsOpt = False,
           json_output: JsonOpt = False) -> None:
    """Check the whole event log against its hash chain; exit 1 naming the first bad position.

    The hash chain covers the store, not the views: ``--check-views`` (or a bare ``--views``) also
    rebuilds the views in a temporary file and reports every row that differs. ``--views PATH``
    alone only names the file, as on every other command, so scripts that pass it everywhere
    still get the store-only check.
    """
    from domain.service.verify import verify as verify_ledger

    ledger = open_ledger(store, create=False)
    try:
        audit_views = None
        if check_views:
            from projections.view_audit import audit_views as audit

            audit_views = partial(audit, views=settings.views_path(views or None))
        verification = verify_ledger(ledger, audit_views)
    finally:
        ledger.close()
    result, views_audit = verification.store, verification.views
    if json_output:
        emit_json(verification.to_dict())
    elif result.ok:
        typer.echo(f"ok: {result.events} events, chain head {result.head}")
    else:
        typer.echo(f"TAMPERED at position {result.first_bad_position}: {result.problem} "
                   f"({result.events} events verified before it)")
    if views_audit is not None and not json_output:
        report_views_audit(views_audit)
    if not verification.ok:
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
