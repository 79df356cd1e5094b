"""The product compiled to bytecode before a benchmark times its commands, as installing it does.

``pip install`` compiles every module of the wheel, so a user's command loads bytecode. A checkout
can lack it or hold it stale (its files re-created with new times), and where Python may not write it
(``PYTHONDONTWRITEBYTECODE``) every command compiles each module it imports again, every run: about a
tenth of a second of CPU per ``show`` command, a cost of that checkout, not of the command.
"""

from __future__ import annotations

import compileall
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def product_packages(root: Path = ROOT) -> list[Path]:
    """The top-level packages a wheel of the project holds (``pyproject.toml``'s ``packages.find``)."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    names = {pattern.rstrip("*").rstrip(".") for pattern in patterns}
    return sorted(root / name for name in names if (root / name / "__init__.py").exists())


def compile_product(root: Path = ROOT) -> bool:
    """Write the bytecode of every product module; False if one failed. All of it, every time: ``compileall``
    takes bytecode of the source's second for current, where Python also compares the size and compiles again."""
    return all(compileall.compile_dir(package, quiet=1, force=True) for package in product_packages(root))
