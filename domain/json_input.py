"""The JSON framing every channel shares: a size cap, no duplicate keys, and bounded line reading.

Import lines, feedback files, Kafka messages and the HTTP API all hand their raw bytes to
``decode_json`` with the pydantic validator of what they expect.  It refuses, as a pydantic
``ValidationError`` (so every caller's existing error path names the line and the field):

- a document over ``MAX_INPUT_BYTES`` (1 MiB) - before parsing it, so memory stays bounded;
- arrays and objects nested more than ``MAX_DEPTH`` deep - before parsing it, so no parser recurses;
- an object that gives the same key twice (``{"value": 5, "value": 6}``): JSON parsers keep the
  last one silently, so the sender's intent is ambiguous;
- NUL in any string, whatever the field's type (PostgreSQL text cannot hold it).

``read_lines`` splits a byte stream into lines without ever holding more than the cap of one
line: a longer line is skipped to its end and handed on as an ``OversizeInput`` (its first bytes
and its true size), which ``decode_json`` then rejects by name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import IO, Any, TypeVar, get_args, get_origin

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_INPUT_BYTES = 1024 * 1024
"""The largest line or message accepted (the HTTP API's body limit too)."""
MAX_DEPTH = 64
"""The deepest nesting of arrays and objects accepted (docs/brief.md §10): a command nests four deep, and
parsers recurse, so a deeper document is refused before any parser sees it."""
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
OVERSIZE_HEAD_BYTES = 1024
"""How much of an oversize line is kept, to show in its dead letter."""
_DRAIN_BYTES = 64 * 1024

T = TypeVar("T")


class OversizeInput(bytes):
    """The first bytes of a line longer than the cap, and its true ``size`` in bytes."""

    size: int

    def __new__(cls, head: bytes, size: int) -> OversizeInput:
        made = super().__new__(cls, head)
        made.size = size
        return made

    def __reduce__(self) -> tuple[Any, ...]:
        return (OversizeInput, (bytes(self), self.size))


def input_size(raw: str | bytes) -> int:
    """The size of a document in bytes (its full size, for an oversize line)."""
    if isinstance(raw, OversizeInput):
        return raw.size
    return len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))


def _head(line: str | bytes) -> bytes:
    data = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
    return data[:OVERSIZE_HEAD_BYTES]


def read_lines(stream: IO[bytes] | Iterable[bytes], limit: int = MAX_INPUT_BYTES) -> Iterator[bytes]:
    """The lines of ``stream`` (newline kept), each held whole only when it is within ``limit`` bytes."""
    readline = getattr(stream, "readline", None)
    if readline is None:  # an iterable of already-split lines (tests, in-memory callers)
        for line in stream:
            size = input_size(line)
            yield OversizeInput(_head(line), size) if size > limit + 2 else line
        return
    while True:
        line = readline(limit + 2)  # the cap plus "\r\n"
        if not line:
            return
        if line.endswith(b"\n") or len(line) <= limit + 1:
            yield line
            continue
        size = len(line)
        head, tail = line[:OVERSIZE_HEAD_BYTES], line[-2:]
        del line
        while True:  # skip the rest of the long line without keeping it
            rest = readline(_DRAIN_BYTES)
            size += len(rest)
            tail = (tail + rest)[-2:]
            if not rest or rest.endswith(b"\n"):
                break
        yield OversizeInput(head, size - _line_end(tail))  # the size of the document, without its line end


def numbered_lines(stream: IO[bytes] | Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """``read_lines`` numbered from 1, a byte-order mark before the first dropped (an editor's, not the JSON's:
    a file saved by Excel or PowerShell had its first line refused as bad JSON)."""
    for number, line in enumerate(read_lines(stream), start=1):
        if number == 1 and not isinstance(line, OversizeInput):
            line = line.removeprefix(b"\xef\xbb\xbf") if isinstance(line, bytes) else line.removeprefix("\ufeff")
        yield number, line


def _error(kind: str, message: str, loc: tuple[str | int, ...], raw: Any, **context: Any) -> ValidationError:
    detail: InitErrorDetails = {"type": PydanticCustomError(kind, message, context), "loc": loc, "input": raw}
    return ValidationError.from_exception_data("input", [detail])


def _line_end(raw: str | bytes) -> int:
    ending = raw[-2:] if isinstance(raw, bytes) else raw[-2:].encode()
    return 2 if ending == b"\r\n" else 1 if ending.endswith(b"\n") else 0


def too_large(raw: str | bytes, limit: int = MAX_INPUT_BYTES) -> ValidationError | None:
    """The rejection of a document over ``limit`` bytes, or None."""
    size = input_size(raw)
    if not isinstance(raw, OversizeInput):  # the line end is not part of the document
        size -= _line_end(raw)
    if size <= limit:
        return None
    return _error("too_large", "the input is {size} bytes, over the limit of {limit} bytes (1 MiB)", (),
                  b"", size=size, limit=limit)


class _DuplicateKey(Exception):  # not a ValueError: json.loads must not mistake it for bad JSON
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    made = dict(pairs)
    if len(made) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return made


def duplicate_key(raw: str | bytes) -> ValidationError | None:
    """The rejection of a JSON document in which an object repeats a key, or None."""
    try:
        json.loads(raw, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as duplicate:
        printable = duplicate.key.encode("unicode_escape").decode("ascii")
        return _error("duplicate_key", "duplicate key: the object gives '{key}' more than once", (printable,),
                      b"", key=printable)
    except ValueError:
        return None  # not JSON at all: the validator has already said so
    return None


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> ValidationError | None:
    """The rejection of a document nesting arrays and objects more than ``limit`` deep, or None (counted on
    the raw text, outside strings: no parser recurses into it first)."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return None
    depth = 0
    for bracket in _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        if depth > limit:
            return _error("too_deep", "arrays and objects nest more than {limit} levels deep", (), b"", limit=limit)
    return None


def _nul_path(value: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = (*path, key) if "\x00" in key else _nul_path(item, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, (*path, index))
            if found is not None:
                return found
    return None


def nul_text(raw: str | bytes) -> ValidationError | None:
    """The rejection of a document with NUL in any string, or None.

    NUL can only enter JSON text as the escape ``\\u0000``, so the walk runs only when that is in
    the raw text.  It is the net under the field types (``domain.commands.Key``/``Text`` name the
    field themselves): a field typed plain ``str`` must not carry NUL either, since PostgreSQL
    text cannot store it and one such line used to fail a whole chunk there.
    """
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
    if b"\\u0000" not in data:
        return None
    try:
        path = _nul_path(json.loads(data), ())
    except ValueError:
        return None
    if path is None:
        return None
    where = tuple(str(part).encode("unicode_escape").decode("ascii") if isinstance(part, str) else part
                  for part in path)
    return _error("nul_text", "must not contain U+0000 (NUL)", where, b"")


_SPACE_BEFORE_COLON = re.compile(rb'"[ \t\r\n]+:')


def _raw_key_count(data: bytes) -> int | None:
    """How many object keys the JSON text holds, or None when a quick count could be wrong.

    Inside a JSON string a quote is always escaped, so a ``":`` not preceded by a backslash ends
    a key; texts with an escaped quote before a colon, or space between a key and its colon, are
    left to the full parse.
    """
    if b'\\":' in data or _SPACE_BEFORE_COLON.search(data):
        return None
    return data.count(b'":')


def _may_nest(annotation: Any) -> bool:
    """Whether a field of this type can hold objects (a model, a dict, or a list of them)."""
    if isinstance(annotation, type):
        return issubclass(annotation, dict | list | tuple | set | frozenset) or hasattr(annotation, "model_fields")
    return any(_may_nest(arg) for arg in (get_origin(annotation), *get_args(annotation)) if arg is not None)


@cache
def _nesting_fields(model: type) -> frozenset[str]:
    fields: dict[str, Any] = getattr(model, "model_fields", {})
    return frozenset(name for name, info in fields.items() if _may_nest(info.annotation))


def _given_keys(value: Any) -> int:
    """How many keys the validated value was given: set fields of models, entries of dicts, nested."""
    fields = getattr(value, "model_fields_set", None)
    if fields is not None:
        nesting = _nesting_fields(type(value))  # type: ignore[arg-type]
        return len(fields) + sum(_given_keys(getattr(value, name)) for name in fields if name in nesting)
    if isinstance(value, dict):
        return len(value) + sum(_given_keys(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(_given_keys(item) for item in value)
    return 0


def decode_json(raw: str | bytes, validate: Callable[[str | bytes], T]) -> T:
    """Validate one JSON document with ``validate`` (a pydantic ``validate_json``), refusing oversize
    documents, repeated keys and NUL in any string.

    The repeated-key test is cheap on the happy path: a document whose keys (counted in the raw
    text) are as many as the keys its validated value was given repeats none; only otherwise is
    it parsed again to find the repeated key.
    """
    refused = too_large(raw)
    if refused is not None:
        raise refused
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
    refused = too_deep(data)
    if refused is not None:
        raise refused
    value = validate(raw)
    refused = nul_text(raw)
    if refused is not None:
        raise refused
    if _raw_key_count(data) == _given_keys(value):
        return value
    refused = duplicate_key(raw)
    if refused is not None:
        raise refused
    return value
