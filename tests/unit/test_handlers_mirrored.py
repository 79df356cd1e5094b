"""The handler tests mirror the handlers by name: ``domain/handlers/teams.py`` is tested in
``tests/unit/test_handlers_teams.py``, and every command a handler module handles is given there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domain.handlers import HANDLERS

HERE = Path(__file__).parent


def step(handler: Any) -> str:
    """The name of the handler module that defines a command's handler (seen through a registration's
    bound ``handle``, when the table holds one)."""
    function = getattr(getattr(handler, "__self__", None), "handler", handler)
    return str(function.__module__).rpartition(".")[2]


def test_every_handler_module_has_its_test_module_and_every_command_is_given_in_it() -> None:
    missing = []
    for command, handler in HANDLERS.items():
        tests = HERE / f"test_handlers_{step(handler)}.py"
        if not tests.exists() or f'"{command.__name__}"' not in tests.read_text():
            missing.append(f"{command.__name__} in {tests.name}")
    assert missing == [], "write the command's happy path and the invariant it enforces there"
