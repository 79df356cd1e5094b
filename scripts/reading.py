"""What every reading command shares, without the CLI framework: show commands start in a fraction
of the time when they need not import typer (and, through it, pydantic)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scripts import settings


class CommandFailed(Exception):
    """A command that cannot answer: one line on stderr and an exit code, never a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def emit_json(data: Any) -> None:
    """Machine output: always valid JSON (a number with no finite value prints as null)."""
    from projections.json_output import dumps

    sys.stdout.write(dumps(data) + "\n")


@contextmanager
def caught_up_views(store: str | None, views: str | None) -> Iterator[Any]:
    """The views, brought up to date with the store first, so no answer is stale."""
    import duckdb

    from domain.service.views import caught_up
    from domain.stores.common import opened_recorder
    from projections.served_views import reading_path
    from projections.view_store import unreadable
    from projections.views_file import ViewsFile

    with opened_recorder(settings.store_url(store), create=False) as recorder:
        path = reading_path(settings.views_path(views))  # while a server holds the views: a cache of our own
        views_file = ViewsFile(recorder, path, refresh=False)
        try:
            caught_up(views_file)
            yield views_file.runner.con
        except (duckdb.IOException, duckdb.InternalException) as error:  # pages of a damaged file
            raise unreadable(path, error) from None
        finally:
            views_file.close()


def as_of_arg(as_of: str | None, option: str = "--as-of") -> Any:
    from domain.business_time import OUT_OF_RANGE, parse_as_of
    from projections.timeline import as_of_value

    try:
        return as_of_value(parse_as_of(as_of))
    except ValueError as error:
        if str(error) == OUT_OF_RANGE:
            raise CommandFailed(f"{option} {as_of!r} is out of range: it {error}", 2) from None
        raise CommandFailed(f"{option} {as_of!r} is not an ISO-8601 time: {error}", 2) from None


def show(kind: str, key: str, store: str | None, views: str | None, json_output: bool, as_of: str | None,
         **options: Any) -> None:
    """Answer a show command from the caught-up views; exit 1 when the key did not exist (as of T)."""
    from projections.shows import show_view

    moment = as_of_arg(as_of)
    with caught_up_views(store, views) as con:
        view = show_view(kind)(con, key, moment, **options)
        if view is None:
            from domain.read_policy import OPERATOR
            from projections.suggestions import did_you_mean, not_found

            raise CommandFailed(not_found(kind, key, as_of, did_you_mean(con, kind, key, OPERATOR, moment)))
    if json_output:
        emit_json(view)
    else:
        from scripts import render, render_client

        getattr(render_client if kind == "client" else render, kind)(view)


def guarded(command: Callable[[], Any]) -> int:
    """Run a command; the failures a user can fix become one line on stderr and an exit code."""
    try:
        command()
    except CommandFailed as error:
        print(str(error), file=sys.stderr)
        return error.code
    except Exception as error:
        code = _fixable_failure_code(error)
        if code is None:
            raise
        print(f"error: {error}", file=sys.stderr)
        return code
    return 0


def _fixable_failure_code(error: Exception) -> int | None:
    """The exit code of a failure a user can fix, None for any other. Its error classes are imported only
    once something failed: the key table's pulls in the cryptography library, a good part of a start."""
    from domain.personal_data import PersonalDataError
    from domain.stores.errors import SetupError

    if isinstance(error, SetupError):  # a store or views location that cannot be used
        return 2
    if isinstance(error, PersonalDataError):  # a damaged key table
        return 1
    return None
