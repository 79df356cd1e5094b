"""Markers a test gets from the fixtures it uses, so they cannot be forgotten (pytest's collection hook in
``tests/conftest.py`` applies them). Tests that start the CLI or a server themselves say so with
``pytest.mark.processes``; the unit folder may carry none of these (it starts nothing and opens no file)."""

from __future__ import annotations

from pathlib import Path

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
