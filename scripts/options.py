"""What the CLI's commands share: their typer options and the helpers that turn a failure into an exit code.

Its own module so that every sub-command module imports it and ``scripts.cli`` only registers them
(no sub-command imports the CLI that registers it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scripts import settings
from scripts.reading import CommandFailed

if TYPE_CHECKING:
    from domain.service.ledger import Ledger

StoreOpt = Annotated[str | None, typer.Option("--store", help="Event store URL (env CLIENTOCRACY_STORE).")]
ViewsOpt = Annotated[str | None, typer.Option("--views", help="DuckDB views file (env CLIENTOCRACY_VIEWS).")]
WriteOnlyViewsOpt = Annotated[
    str | None, typer.Option("--views", help="Accepted like everywhere; this command does not touch the views.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine output on stdout, nothing else.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Answer as it was at this ISO-8601 business time.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@contextmanager
def exit_on_failure() -> Iterator[None]:
    """A reading helper's failure as this CLI's exit code, also under typer's in-process test runner."""
    try:
        yield
    except CommandFailed as error:
        raise fail(str(error), error.code) from None


def open_ledger(store: str | None, *, create: bool = True) -> Ledger:
    """The ledger on the chosen store; only writing commands create one (readers pass ``create=False``)."""
    from domain.service.ledger import Ledger

    return Ledger.open(settings.store_url(store), create=create)


def check_writable_file(path: Path, option: str) -> None:
    """Refuse an output path that cannot become a file, before any work is done."""
    if path.is_dir():
        raise fail(f"{option} {path} is a directory; give a file name", 2)
    if not path.parent.is_dir():
        raise fail(f"{option} {path}: the folder {path.parent} does not exist", 2)
