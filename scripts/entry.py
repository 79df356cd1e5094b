"""The `clientocracy` command's entry point: the show commands take a short road that skips the
CLI framework's start-up (about a third of a second here); everything else, and any show
invocation the short road does not fully understand (help, an unknown option), takes the full CLI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from functools import partial

SHOWS = {"promise", "team", "experiment", "client"}


def fast_show(argv: list[str]) -> Callable[[], None] | None:
    """The show command ``argv`` asks for, or None when the full CLI should handle it."""
    if len(argv) < 2 or argv[0] not in SHOWS or argv[1] != "show" or {"-h", "--help"} & set(argv):
        return None
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    parser.add_argument("key")
    parser.add_argument("--store")
    parser.add_argument("--views")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--as-of")
    if argv[0] in ("team", "client"):
        parser.add_argument("--all", action="store_true")
    try:
        args, unknown = parser.parse_known_args(argv[2:])
    except (argparse.ArgumentError, SystemExit):
        return None
    if unknown:
        return None
    from scripts.reading import show

    options = {"limit": None} if getattr(args, "all", False) else {}
    return partial(show, argv[0], args.key, args.store, args.views, args.json, args.as_of, **options)


def fast_signals(argv: list[str]) -> Callable[[], None] | None:
    """``clientocracy signals ...`` on the short road (its options as ``scripts.cli.signals_command`` has them)."""
    if not argv or argv[0] != "signals" or {"-h", "--help"} & set(argv):
        return None
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    for option in ("--store", "--views", "--as-of", "--team", "--client", "--for", "--public-url"):
        parser.add_argument(option)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--all", action="store_true")
    try:
        args, unknown = parser.parse_known_args(argv[1:])
    except (argparse.ArgumentError, SystemExit):
        return None
    if unknown:
        return None
    from scripts.signals_command import signals

    return partial(signals, args.store, args.views, args.json, args.as_of, args.team, args.client,
                   getattr(args, "for"), args.all, args.public_url)


def main() -> None:
    command = fast_show(sys.argv[1:]) or fast_signals(sys.argv[1:])
    if command is None:
        from scripts.cli import main as full_cli

        full_cli()
        return
    from scripts.reading import guarded

    sys.exit(guarded(command))
