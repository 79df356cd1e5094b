"""A form's one-time key (docs/brief.md §10 idempotency, for the pages): the "Record results" upload records a
file of many rows, so a second submission of the same form (a double click, the back button, a retry after a
lost answer) must record nothing new, and say so.

Each render of the form carries a fresh random key; each row of its file is sent with the line ``id``
``upload:KEY:INDEX``, an idempotency key of the signed-in person's own (``domain.service.receipts``). The rows of
one upload are recorded in one transaction with their keys, so a key of the form found recorded (its row 0) means
the form was sent before: nothing is recorded again. Two submissions racing each other both pass that look, and
the second one's rows are then skipped by the command path itself (each key seen for the same content).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

FIELD = "upload_key"
_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class AlreadySent(Exception):
    """The form was sent before: nothing of this submission was recorded."""

    MESSAGE = ("This form was sent already and its file recorded then; nothing new was recorded now. "
               "To upload another file, use the form as this page shows it now.")

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


def new_key() -> str:
    """A key for one render of the form (128 random bits)."""
    return secrets.token_urlsafe(16)


def form_key(form: dict[str, str]) -> str:
    """The key the form was sent with; ``ValueError`` naming the field when it is missing or not one of ours."""
    key = form.get(FIELD, "").strip()
    if not _SHAPE.fullmatch(key):
        raise ValueError(f"{FIELD}: {'missing' if not key else 'not a key this site gave'}; "
                         "this form is out of date: load the page again and send the file from there")
    return key


def row_id(key: str, index: int) -> str:
    """The line ``id`` of the upload's ``index``-th row (0: the first)."""
    return f"upload:{key}:{index}"


def keyed(key: str, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The upload's commands, each with its row's line ``id``."""
    return [{**command, "id": row_id(key, index)} for index, command in enumerate(commands)]
