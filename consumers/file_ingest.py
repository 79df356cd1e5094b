"""Feedback from a JSONL file or stdin, no broker: the same schema, exactly-once and dead-letter rules.

A file is tracked as ``file:<resolved path>#<identity>`` with the line number as its position, so a re-run
(or a run after a crash) resumes after the last recorded line and an appended file picks up
only the new lines.  The identity (``file_tracking_name``) makes a new file at the same path (a rotated log, the
next day's export) start at its first line: tracked by its path alone, its first lines were skipped as if read.
A last line with no line end that is not yet a JSON document is a writer still appending it: it is held back,
and the position stays before it (it was dead-lettered as bad JSON and skipped once finished).  Stdin has no
identity to resume from: it is untracked and relies on ``feedback_id`` alone, so re-piping the same stream
records nothing twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from consumers.file_dead_letters import FileDeadLetters, dead_letter_path
from consumers.ingest_summary import IngestSummary, Progress
from consumers.recording import FeedbackRecorder, Incoming
from domain.json_input import MAX_INPUT_BYTES, OversizeInput, numbered_lines
from domain.service.ledger import Ledger
from domain.service.receipts import FILE
from domain.service.stopping import Stop

BATCH = 1000
BATCH_BYTES = 16 * 1024 * 1024
"""A batch also ends once its lines hold this many bytes: memory stays bounded whatever the line length
(a line over ``json_input.MAX_INPUT_BYTES`` is held only as a short head, and dead-lettered by name)."""
STDIN_DEAD_LETTERS = Path("stdin.dlq.jsonl")


def file_tracking_name(path: Path) -> str:
    """``file:<resolved path>#<device>:<inode>:<digest of the first line>``: an appended file keeps it; a new file
    at the path (another inode, or another first line written over the old) gets a new one."""
    resolved = path.resolve()
    with resolved.open("rb") as file:
        first = file.readline(MAX_INPUT_BYTES + 2)
        found = os.fstat(file.fileno())
    digest = hashlib.sha256(first if first.endswith(b"\n") else b"").hexdigest()[:16]
    return f"file:{resolved}#{found.st_dev}:{found.st_ino}:{digest}"


def _unfinished(line: bytes) -> bool:
    """A last line with no line end that is not a JSON document yet: its writer is still appending it."""
    if line.endswith(b"\n") or isinstance(line, OversizeInput):
        return False
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return True
    return False


def _numbered(lines: Iterable[bytes], hold: Callable[[int], None] | None) -> Iterator[tuple[int, bytes]]:
    """The lines with their numbers; with ``hold``, an unfinished last line is passed to it instead."""
    numbered = numbered_lines(lines)
    if hold is None:
        yield from numbered
        return
    previous: tuple[int, bytes] | None = None
    for item in numbered:
        if previous is not None:
            yield previous
        previous = item
    if previous is not None:
        if _unfinished(previous[1]):
            hold(previous[0])
        else:
            yield previous


def _batches(lines: Iterable[bytes], source: str, size: int,
             hold: Callable[[int], None] | None = None) -> Iterator[list[Incoming[None]]]:
    batch: list[Incoming[None]] = []
    held = 0
    for number, line in _numbered(lines, hold):
        if not line.strip():
            continue  # blank lines separate, they are not messages
        batch.append(Incoming(number, f"{source}:{number}", line, None))
        held += len(line)
        if len(batch) >= size or held >= BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def ingest_lines(
    ledger: Ledger,
    lines: Iterable[bytes],
    *,
    path: Path | None,
    dead_letters_to: Path | None = None,
    batch_size: int = BATCH,
    stop: Stop | None = None,
    on_progress: Progress | None = None,
) -> IngestSummary:
    """Ingest JSONL feedback lines read from ``path`` (None: stdin), one transaction per batch."""
    name = file_tracking_name(path) if path is not None else None
    summary = IngestSummary(source=f"file:{path.resolve()}" if path is not None else "stdin")
    recorder = FeedbackRecorder(ledger, summary, FILE)
    source = name or "stdin"
    dead_letters = FileDeadLetters(
        dead_letters_to or (dead_letter_path(path) if path is not None else STDIN_DEAD_LETTERS),
        source,
        resume=name is not None,
    )
    hold = summary.held_back.append if path is not None else None
    for batch in _batches(lines, source, batch_size, hold):
        recorder.record(name, batch, dead_letters)
        if on_progress is not None:
            on_progress(summary, {})
        if stop is not None and stop.is_set():
            break
    summary.finish()
    return summary
