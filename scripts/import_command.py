"""`clientocracy import FILE|-`: record commands from JSON lines, each line's id imported once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from scripts.options import JsonOpt, StoreOpt, WriteOnlyViewsOpt, fail, open_ledger
from scripts.reading import emit_json


def import_command(
    file: Annotated[str, typer.Argument(help="JSONL file of commands, or - for stdin.")],
    store: StoreOpt = None,
    views: WriteOnlyViewsOpt = None,
    json_output: JsonOpt = False,
    chunk: Annotated[int, typer.Option(help="Lines per transaction.", min=1)] = 2000,
) -> None:
    """Import commands, one JSON object per line; a line whose id was imported before is skipped (rejected as
    id_conflict when that id came with other content)."""
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
