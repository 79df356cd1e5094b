"""Every command's handler, one module per step mirroring ``domain.commands`` by name.

Importing this package imports every handler module, each of which registers its handlers
(``domain.registry.handles``); ``HANDLERS`` is read off that registry, never written by hand.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from domain.audit import Audit
from domain.commands.fields import Command
from domain.registry import REGISTRY
from domain.service.unit_of_work import UnitOfWork

for _module in pkgutil.iter_modules(__path__):  # a new step's module registers without being listed here
    importlib.import_module(f"{__name__}.{_module.name}")

HANDLERS: dict[type[Command], Callable[[UnitOfWork, Any, Audit], None]] = {
    model: registration.handle for model, registration in REGISTRY.items()
}
"""Command type -> the function that handles it (sealing its personal fields first)."""
