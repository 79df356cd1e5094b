"""The decode step of every feedback source: raw bytes in, a valid message or a named rejection out.

Validation itself is ``domain.commands.FeedbackMessage`` behind the shared framing of
``domain.json_input.decode_json`` (1 MiB cap, no repeated keys); this module only decides, when
they refuse, which class of bad input it was, so dead letters carry a reason a person can act on.
The happy path is one ``model_validate_json`` call and a cheap repeated-key test; the slower
diagnosis runs only on failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from domain.commands import FeedbackMessage, describe_errors
from domain.json_input import decode_json

NOT_UTF8 = "not_utf8"
NOT_JSON = "not_json"
NOT_OBJECT = "not_object"
INVALID_FIELDS = "invalid_fields"
EMPTY = "empty"
TOO_LARGE = "too_large"
DUPLICATE_KEY = "duplicate_key"
ID_CONFLICT = "id_conflict"
"""Not a decoding failure: a valid message whose ``feedback_id`` was recorded before with other content."""
MAX_REASON = 1000


@dataclass(frozen=True)
class Rejection:
    """Why a payload is not a feedback message: a stable ``code`` and a one-line ``reason``."""

    code: str
    reason: str


def decode_feedback(raw: bytes | None) -> FeedbackMessage | Rejection:
    """Validate one payload; never raises on bad input."""
    if not raw or raw.isspace():
        return Rejection(EMPTY, "the message has no value")
    try:
        return decode_json(raw, FeedbackMessage.model_validate_json)
    except ValidationError as error:
        return _diagnose(raw, error)


def _diagnose(raw: bytes, error: ValidationError) -> Rejection:
    kinds = {item["type"] for item in error.errors(include_url=False)}
    if TOO_LARGE in kinds:
        return Rejection(TOO_LARGE, describe_errors(error).removeprefix("line: "))
    if DUPLICATE_KEY in kinds:
        return Rejection(DUPLICATE_KEY, _one_line(describe_errors(error)))
    if "json_invalid" in kinds:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            return Rejection(NOT_UTF8, f"byte {bad.start} is not valid UTF-8 ({bad.reason})")
        return Rejection(NOT_JSON, describe_errors(error).removeprefix("line: "))
    if kinds == {"model_type"}:
        return Rejection(NOT_OBJECT, "the JSON value is not an object")
    return Rejection(INVALID_FIELDS, _one_line(describe_errors(error)))


def _one_line(reason: str) -> str:
    """Reasons quote the sender's field names: keep them one bounded, printable line."""
    flat = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in reason)
    return flat if len(flat) <= MAX_REASON else flat[: MAX_REASON - 1] + "…"
