"""`clientocracy project [--rebuild] [--follow]`: bring the DuckDB views up to date with the store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scripts import settings
from scripts.options import JsonOpt, StoreOpt, ViewsOpt, open_ledger
from scripts.reading import emit_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from domain.service.stopping import Stop
    from domain.stores.port import LedgerStore


def project(
    store: StoreOpt = None,
    views: ViewsOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild from zero into a new file, then switch.")] = False,
    follow: Annotated[bool, typer.Option("--follow", help="Keep catching up until interrupted.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between polls with --follow (longer while idle).",
                                            min=0.01)] = 0.5,
    json_output: JsonOpt = False,
) -> None:
    """Bring the DuckDB views up to date with the event store."""
    from domain.service.stopping import Stopped, exit_stopped, stop_on_signals
    from projections import runner, views_file

    ledger = open_ledger(store, create=False)
    path = settings.views_path(views)
    try:
        with stop_on_signals() as stop:  # a stop lands between two pages, never inside one
            result = (runner.rebuild if rebuild else views_file.catch_up)(ledger.store, path, stop_between(stop))
            report(result, path, json_output)
            if follow:
                follow_store(ledger.store, path, result.position, interval, json_output, stop)
    except (Stopped, KeyboardInterrupt):  # KeyboardInterrupt: a second signal, or one before the handlers
        pass
    finally:
        ledger.close()
    if follow:
        exit_stopped()


def stop_between(stop: Stop) -> Callable[[int, int], None]:
    """A catch-up's progress callback that ends it (``Stopped``) after the page committed when a stop came."""
    return lambda total, position: stop.check()


IDLE_POLL_SECONDS = 2.0


def follow_store(recorder: LedgerStore, path: Path, position: int, interval: float, json_output: bool,
                 stop: Stop) -> None:
    """Keep the views caught up; while the store is idle, only its newest position is read, less and less often.

    Opening the views for a catch-up costs far more than asking the store for its newest position,
    so an idle follower asks only that, backing off from ``interval`` to ``IDLE_POLL_SECONDS``
    (reset when events arrive). It waits on ``stop`` (SIGINT/SIGTERM), which ends the wait at once.
    """
    from projections.views_file import catch_up

    wait = interval
    while not stop.wait(wait):
        newest = recorder.max_notification_id() or 0
        if newest == position:
            wait = min(wait * 1.5, max(interval, IDLE_POLL_SECONDS))
            continue
        result = catch_up(recorder, path, stop_between(stop))
        position, wait = result.position, interval
        if result.events:
            report(result, path, json_output)


def report(result: Any, path: Path, json_output: bool) -> None:
    if json_output:
        emit_json({"events": result.events, "position": result.position, "seconds": round(result.seconds, 3),
                   "views": str(path)})
    else:
        typer.echo(f"{result.events} events projected into {path} (position {result.position}) "
                   f"in {result.seconds:.2f}s", err=True)
