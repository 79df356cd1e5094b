"""An experiment's results as a CSV file (docs/brief.md §8 "Record results"): rows of ``arm,value[,metric,covariate]``,
with or without a header, at most ``MAX_BYTES`` and ``MAX_ROWS``. Each row becomes one ``RecordObservation``; the
page records them all in one transaction or none (``Workspace.submit_all``), so a bad row is named here (or by the
command path) by its row number, and nothing of that upload is recorded.
"""

from __future__ import annotations

import csv
import io
from typing import Any

MAX_BYTES = 1 << 20
MAX_ROWS = 50_000
UPLOAD_BODY = MAX_BYTES + (64 << 10)
"""The request that carries a file: the file and its multipart envelope (boundaries, the form's csrf_token)."""
COLUMNS = ("arm", "value", "metric", "covariate")
"""In this order when there is no header; a header may name them in any order (``arm`` and ``value`` needed)."""
NUMBERS = {"value", "covariate"}


class BadUpload(ValueError):
    """The file cannot be read as results at all, or one row is wrong: ``row`` (1 = the file's first line)."""

    def __init__(self, message: str, row: int | None = None, status: int = 422) -> None:
        super().__init__(message if row is None else f"row {row}: {message}")
        self.row = row
        self.status = status


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise BadUpload(f"the file is {len(data):,} bytes; at most {MAX_BYTES:,} (1 MiB) are taken", status=413)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadUpload(f"the file is not UTF-8 text (byte {error.start})") from None


def _header(first: list[str], row: int) -> tuple[str, ...] | None:
    """The columns a header row names, or None when the first row is data (its first cell no column's name)."""
    names = tuple(cell.strip().lower() for cell in first)
    if not names or names[0] not in COLUMNS:
        return None
    unknown = [name for name in names if name not in COLUMNS]
    if unknown or len(set(names)) != len(names) or not {"arm", "value"} <= set(names):
        raise BadUpload(f"the header names {', '.join(names)}; the columns are arm and value, then metric and "
                        "covariate if given (each once)", row=row)
    return names


def _cell(name: str, text: str) -> Any:
    """A number as a number; anything else as typed, so the command's own check names the field and why."""
    text = text.strip()
    if name in NUMBERS:
        try:
            return float(text)
        except ValueError:
            return text
    return text


def observations(data: bytes, experiment: str) -> tuple[list[dict[str, Any]], list[int]]:
    """The ``RecordObservation`` commands of an uploaded file, and each one's row number in it; ``BadUpload``
    for a file that is too large, not text, has too many rows, or a row of the wrong shape."""
    rows = csv.reader(io.StringIO(_text(data), newline=""), strict=True)
    commands: list[dict[str, Any]] = []
    numbers: list[int] = []
    columns: tuple[str, ...] | None = None  # known after the first row that is not blank
    try:
        for cells in rows:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if columns is None:
                columns = _header(cells, rows.line_num)
                if columns is not None:
                    continue
                columns = COLUMNS
            if len(commands) == MAX_ROWS:
                raise BadUpload(f"more than {MAX_ROWS:,} rows of results; send them in several files",
                                row=rows.line_num, status=413)
            commands.append(_command(experiment, columns, cells, rows.line_num))
            numbers.append(rows.line_num)
    except csv.Error as error:
        raise BadUpload(f"not CSV ({error})", row=rows.line_num) from None
    if not commands:
        raise BadUpload("the file holds no rows of results")
    return commands, numbers


def _command(experiment: str, columns: tuple[str, ...], cells: list[str], row: int) -> dict[str, Any]:
    given = len(cells)
    if given > len(columns) or given < 2:
        raise BadUpload(f"{given} values; expected {', '.join(columns[:2])}"
                        + (f" and at most {', '.join(columns[2:])}" if len(columns) > 2 else ""), row=row)
    command: dict[str, Any] = {"type": "RecordObservation", "experiment": experiment}
    for name, text in zip(columns, cells, strict=False):
        if text.strip() or name in ("arm", "value"):
            command[name] = _cell(name, text)
    return command
