"""``asyncio.run`` for tests that run coroutines of their own, beside the browser tests of the same session."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_alone(scenario: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(scenario)`` in a thread of its own: a browser test's Playwright (sync API) keeps an event loop
    running in the main thread for the rest of the session, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as alone:
        return alone.submit(asyncio.run, scenario).result()
