"""A views file held by a running server, and where the CLI reads meanwhile.

DuckDB lets one process write a file, and a server keeps its views file open while it runs. So
a server marks the file as served (``VIEWS.served``, holding its pid), and the CLI's show
commands, finding it served by a live process, read through their own cache beside it
(``VIEWS.cli.duckdb`` for ``VIEWS.duckdb``): views are rebuildable caches of the store, so the
answer is the same, only the first one pays for building the cache.
"""

from __future__ import annotations

import os
from pathlib import Path


def marker(views: Path) -> Path:
    return views.with_name(views.name + ".served")


def mark_served(views: Path) -> None:
    marker(views).write_text(str(os.getpid()), encoding="utf-8")


def unmark_served(views: Path) -> None:
    found = marker(views)
    try:
        if found.read_text(encoding="utf-8").strip() == str(os.getpid()):
            found.unlink()
    except (FileNotFoundError, ValueError):
        pass


def served_by(views: Path) -> int | None:
    """The pid of the live server holding ``views``, or None (a marker left by a killed one is ignored)."""
    try:
        pid = int(marker(views).read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def reading_path(views: Path) -> Path:
    """The views file a CLI reader should use: ``views``, or its own cache while a server holds it."""
    if served_by(views) is None:
        return views
    return views.with_name(f"{views.stem}.cli{views.suffix or '.duckdb'}")
