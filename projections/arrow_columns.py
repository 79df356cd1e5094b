"""Python values as Arrow columns, built from raw buffers instead of ``pa.array``.

``pa.array`` on Python objects first asks pandas whether they are one of its arrays, which imports
pandas (0.2 s of CPU, 0.5 s on a busy machine, 50 MB) in any process that makes a table of rows:
every rebuild and catch-up at its first page, and the refresh after it. Joined buffers are also
several times faster than converting value by value. ``None`` is a null, as with ``pa.array``.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

import pyarrow as pa

NUMBERS = {pa.int64(): "q", pa.int32(): "i", pa.float64(): "d"}
"""Arrow number types -> the ``array`` typecode of the same width (``i`` is 32 bits wherever pyarrow runs)."""
OFFSETS = {pa.string(): "i", pa.large_string(): "q"}
"""Text types -> the ``array`` typecode of their offsets."""


def column(values: Sequence[Any], kind: pa.DataType) -> pa.Array:
    """``pa.array(values, kind)`` for text, 32 or 64-bit integers, floats and booleans."""
    if kind in OFFSETS:
        return text(values, kind)
    nulls = None in values
    validity = _bits([value is not None for value in values]) if nulls else None
    if kind == pa.bool_():
        data = _bits([_boolean(value) for value in values])
    elif kind in NUMBERS:
        zero = 0.0 if kind == pa.float64() else 0
        data = pa.py_buffer(array(NUMBERS[kind], [zero if v is None else v for v in values] if nulls else values))
    else:
        raise TypeError(f"no column of {kind} from Python values")
    return pa.Array.from_buffers(kind, len(values), [validity, data])


def text(values: Sequence[str | bytes | None], kind: pa.DataType = pa.large_string()) -> pa.Array:
    """Text (or UTF-8 bytes such as stored states) as one array of the values joined; validating it checks
    every value is UTF-8, as JSON must be."""
    stored = bool(values) and all(type(value) is bytes for value in values)  # stored states: as they are
    encoded: Sequence[Any] = values if stored else [_utf8(value) for value in values]
    offsets = array(OFFSETS[kind], [0])
    offsets.extend(accumulate(map(len, encoded)))
    validity = _bits([value is not None for value in values]) if None in values else None
    result = pa.Array.from_buffers(kind, len(values), [validity, pa.py_buffer(offsets),
                                                       pa.py_buffer(b"".join(encoded))])  # type: ignore[arg-type]
    result.validate(full=True)
    return result


def _utf8(value: str | bytes | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    raise TypeError(f"expected text, got {type(value).__name__} {value!r}")


def _boolean(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    raise TypeError(f"expected a boolean, got {type(value).__name__} {value!r}")


def _bits(flags: list[bool]) -> pa.Buffer:
    """Arrow's bitmap: bit i of the buffer (least significant first) is ``flags[i]``."""
    digits = "".join("1" if flag else "0" for flag in reversed(flags)) or "0"
    return pa.py_buffer(int(digits, 2).to_bytes((len(flags) + 7) // 8, "little"))
