"""Make some modules unimportable in a process the tests start, as if their package were not installed.

A test puts this directory first on the child's ``PYTHONPATH`` and names the top-level modules in
``CLIENTOCRACY_TEST_BLOCK_IMPORTS`` (comma-separated); Python imports ``sitecustomize`` at start-up,
before any of the program's own imports, so e.g. kafka-python finds no ``lz4`` in that process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType

BLOCK_ENV = "CLIENTOCRACY_TEST_BLOCK_IMPORTS"


class BlockedImports(MetaPathFinder):
    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"{fullname} is blocked by {BLOCK_ENV}", name=fullname)
        return None


_blocked = frozenset(name.strip() for name in os.environ.get(BLOCK_ENV, "").split(",") if name.strip())
if _blocked:
    sys.meta_path.insert(0, BlockedImports(_blocked))
