"""Markers a test gets from the fixtures it uses, so they cannot be forgotten (pytest's collection hook in
``tests/conftest.py`` applies them). Tests that start the CLI, a server or a child process themselves say so with
``pytest.mark.processes``, and one that does without saying so fails (``refuse_unmarked_processes``), so
``-m "not processes"`` really runs in one process; the unit folder may carry none of these markers."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

# fixture -> the markers its tests get
FIXTURE_MARKERS: dict[str, tuple[str, ...]] = {
    "kafka_bootstrap": ("kafka", "processes"),  # the session's Tansu broker
    "served": ("processes",),  # a `clientocracy serve` process
    "browser": ("browser", "processes"),  # chromium
    "postgres_url": ("postgres",),
}
NOT_IN_UNIT = frozenset({"processes", "browser", "kafka", "postgres"})
UNIT = Path(__file__).resolve().parents[1] / "unit"


def apply_markers(item: pytest.Item) -> None:
    """Add the markers ``item``'s fixtures imply; refuse a unit test that starts processes or needs a server."""
    used = set(getattr(item, "fixturenames", ()))
    for fixture, names in FIXTURE_MARKERS.items():
        if fixture in used:
            for name in names:
                item.add_marker(name)
    if UNIT in Path(item.path).resolve().parents:
        found = {mark.name for mark in item.iter_markers()} & NOT_IN_UNIT
        if found:
            raise pytest.UsageError(f"{item.nodeid} is marked {sorted(found)}: tests/unit starts no process and "
                                    "needs no server; it belongs in tests/integration or tests/e2e")


def refuse_unmarked_processes(item: pytest.Item, monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a process (``subprocess``, a fork) fails a test not marked ``processes``, naming what it ran."""
    if item.get_closest_marker("processes") is not None:
        return

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        tried = args[1] if len(args) > 1 else kwargs.get("args", "a fork")
        raise AssertionError(f"{item.nodeid} started a process ({tried!r}) but is not marked "
                             "pytest.mark.processes")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    for name in ("fork", "posix_spawn", "posix_spawnp"):
        monkeypatch.setattr(os, name, refuse)
