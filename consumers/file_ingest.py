"""Feedback from a JSONL file or stdin, no broker: the same schema, exactly-once and dead-letter rules.

A file is tracked by its identity (``consumers.file_identity``) with the line number as its position, so a re-run
(or a run after a crash) resumes after the last recorded line and an appended file picks up only the new lines,
while a new file at the same path starts at its first line. A last line with no line end that is not a JSON
document, in a file changed within ``HOLD_SECONDS``, is a writer still appending it: it is held back and the
position stays before it (it was dead-lettered as bad JSON, and skipped once finished). Stdin (and a pipe) has no
identity to resume from: it is untracked and relies on ``feedback_id`` alone, so re-piping the same stream records
nothing twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import orjson

from consumers.file_dead_letters import FileDeadLetters, dead_letter_path
from consumers.file_identity import adopted_position, file_identity, path_name
from consumers.ingest_summary import IngestSummary, Progress
from consumers.recording import FeedbackRecorder, Incoming
from domain.json_input import OversizeInput, numbered_lines
from domain.service.ledger import Ledger
from domain.service.receipts import FILE
from domain.service.stopping import Stop

BATCH = 1000
BATCH_BYTES = 16 * 1024 * 1024
"""A batch also ends once its lines hold this many bytes: memory stays bounded whatever the line length
(a line over ``json_input.MAX_INPUT_BYTES`` is held only as a short head, and dead-lettered by name)."""
STDIN_DEAD_LETTERS = Path("stdin.dlq.jsonl")
HOLD_SECONDS = 60.0
"""A last line with no line end and no JSON document yet is held back while its file changed this recently."""


def _unfinished(line: bytes, descriptor: int) -> bool:
    """A last line with no line end that is not a JSON document, in a file changed within ``HOLD_SECONDS``: its
    writer is still appending it (one left so longer is finished: it is read, and dead-lettered if bad)."""
    if line.endswith(b"\n") or isinstance(line, OversizeInput) or not line.strip():
        return False
    if time.time() - os.fstat(descriptor).st_mtime > HOLD_SECONDS:
        return False
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return True
    return False


def _numbered(lines: Iterable[bytes], hold: Callable[[int, bytes], bool] | None) -> Iterator[tuple[int, bytes]]:
    """The lines with their numbers; with ``hold``, a last line it holds back is not among them."""
    numbered = numbered_lines(lines)
    if hold is None:
        yield from numbered
        return
    previous: tuple[int, bytes] | None = None
    for item in numbered:
        if previous is not None:
            yield previous
        previous = item
    if previous is not None and not hold(*previous):
        yield previous


def _batches(lines: Iterable[bytes], source: str, size: int,
             hold: Callable[[int, bytes], bool] | None = None) -> Iterator[list[Incoming[None]]]:
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
    descriptor = lines.fileno() if path is not None and hasattr(lines, "fileno") else None
    name = file_identity(path, descriptor) if path is not None and descriptor is not None else None
    summary = IngestSummary(source=path_name(path) if path is not None else "stdin")
    recorder = FeedbackRecorder(ledger, summary, FILE)
    source = name or summary.source
    dead_letters = FileDeadLetters(  # a pipe's (``/dev/stdin``, ``<(zcat x.gz)``) go where stdin's go
        dead_letters_to or (dead_letter_path(path) if path is not None and name is not None else STDIN_DEAD_LETTERS),
        source,
        resume=name is not None,
    )
    def hold(number: int, line: bytes) -> bool:
        held = descriptor is not None and _unfinished(line, descriptor)
        if held:
            summary.held_back.append(number)
        return held

    read_before = adopted_position(ledger, path, name) if path is not None and name is not None else 0
    for batch in _batches(lines, source, batch_size, hold if name is not None else None):
        batch = [item for item in batch if item.position > read_before]
        if batch:
            recorder.record(name, batch, dead_letters)
        if on_progress is not None:
            on_progress(summary, {})
        if stop is not None and stop.is_set():
            break
    if name is not None and name in summary.positions:  # as the run names the file
        summary.positions[summary.source] = summary.positions.pop(name)
    summary.finish()
    return summary
