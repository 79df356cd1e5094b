"""File dead letters: ``FILE.dlq.jsonl`` gets one JSON line per bad line with its line number and reason.

Durable (fsynced) when ``send`` returns, which is what lets ``ingest file`` track its position past them.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from consumers.messages import Rejection
from consumers.recording import DeadLetterError, Incoming
from domain.json_input import OversizeInput


def dead_letter_path(source: Path) -> Path:
    """``feedback.jsonl`` -> ``feedback.dlq.jsonl``."""
    return source.with_suffix(".dlq.jsonl")


class FileDeadLetters:
    """Appends rejected lines to a JSONL file, fsynced.

    With ``resume`` (a tracked file that is re-read after a crash) a line of the same source
    already in the file is not written again; stdin is not tracked, so each run appends anew.
    """

    def __init__(self, path: Path, source: str, *, resume: bool) -> None:
        self.path = path
        self.source = source
        self.written = self._lines_already_written() if resume else set()

    def _lines_already_written(self) -> set[int]:
        if not self.path.exists():
            return set()
        written: set[int] = set()
        with self.path.open("rb") as existing:
            for raw in existing:
                try:
                    entry = json.loads(raw)
                except ValueError:
                    continue  # a torn last line from a crash: its line is written again
                if isinstance(entry, dict) and entry.get("source") == self.source:
                    written.add(entry.get("line", -1))
        return written

    def send(self, rejected: Sequence[tuple[Incoming[None], Rejection]]) -> None:
        entries = [_entry(self.source, item, rejection) for item, rejection in rejected
                   if item.position not in self.written]
        if not entries:
            return
        text = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries)
        try:
            with self.path.open("a+b") as out:
                out.write(_after_torn_line(out) + text.encode())
                out.flush()
                os.fsync(out.fileno())
        except OSError as error:
            raise DeadLetterError(f"could not write to {self.path}: {error}") from error
        self.written.update(entry["line"] for entry in entries)


def _after_torn_line(out: BinaryIO) -> bytes:
    """A newline if the file ends mid-line (a crash during an append), so the next entry starts clean."""
    if out.seek(0, os.SEEK_END) == 0:
        return b""
    out.seek(-1, os.SEEK_END)
    return b"" if out.read(1) == b"\n" else b"\n"


def _entry(source: str, item: Incoming[None], rejection: Rejection) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": source, "line": item.position, "reason": rejection.reason,
                             "reason_code": rejection.code}
    if isinstance(item.raw, OversizeInput):  # only the head of a line over the cap was kept
        entry.update(truncated=True, bytes=item.raw.size,
                     raw=bytes(item.raw).decode("utf-8", "replace").removesuffix("\ufffd"))
        return entry
    raw = (item.raw or b"").rstrip(b"\r\n")
    try:
        entry["raw"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        entry["raw_base64"] = base64.b64encode(raw).decode("ascii")
    return entry
