"""JSON as every answer prints it: always valid JSON, never ``NaN`` or ``Infinity``.

Numbers are bounded at the edge (``domain.commands.MAX_MAGNITUDE``), but a store written before
that, or a statistic with no defined value, can still produce a non-finite float; JSON has no
such number, so it becomes ``null`` (undefined), and ``allow_nan=False`` proves none slipped by.
The CLI's ``--json`` output uses ``dumps``; the HTTP API should serve ``finite(view)`` too.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(data: Any) -> Any:
    """``data`` with every non-finite float (in dicts, lists and tuples, at any depth) replaced by None."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [finite(value) for value in data]
    return data


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Valid JSON text of ``data``; values JSON cannot hold (datetimes, …) as their text."""
    return json.dumps(finite(data), indent=indent, default=str, allow_nan=False)
