"""``clientocracy --version``: the version of the installed distribution, as its metadata records it."""

from __future__ import annotations

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

DISTRIBUTION = "clientocracy-ledger"


def package_version() -> str:
    """The installed version; run from a checkout never installed, the version its pyproject.toml declares
    (marked so), and "unknown" when there is none either."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            declared = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError):
            return "unknown (not installed)"
        return f"{declared} (not installed)"
