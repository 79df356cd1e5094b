"""Feedback from a JSONL file or stdin, no broker: the same schema, exactly-once and dead-letter rules.

A file is tracked as ``file:<resolved path>`` with the line number as its position, so a re-run
(or a run after a crash) resumes after the last recorded line and an appended file picks up
only the new lines.  Stdin has no identity to resume from: it is untracked and relies on
``feedback_id`` alone, so re-piping the same stream records nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from consumers.file_dead_letters import FileDeadLetters, dead_letter_path
from consumers.ingest_summary import IngestSummary, Progress
from consumers.recording import FeedbackRecorder, Incoming
from domain.json_input import read_lines
from domain.service.ledger import Ledger
from domain.service.receipts import FILE
from domain.service.stopping import Stop

BATCH = 1000
BATCH_BYTES = 16 * 1024 * 1024
"""A batch also ends once its lines hold this many bytes: memory stays bounded whatever the line length
(a line over ``json_input.MAX_INPUT_BYTES`` is held only as a short head, and dead-lettered by name)."""
STDIN_DEAD_LETTERS = Path("stdin.dlq.jsonl")


def file_tracking_name(path: Path) -> str:
    return f"file:{path.resolve()}"


def _batches(lines: Iterable[bytes], source: str, size: int) -> Iterator[list[Incoming[None]]]:
    batch: list[Incoming[None]] = []
    held = 0
    for number, line in enumerate(read_lines(lines), start=1):  # type: ignore[arg-type]
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
    source = name or "stdin"
    summary = IngestSummary(source=source)
    recorder = FeedbackRecorder(ledger, summary, FILE)
    dead_letters = FileDeadLetters(
        dead_letters_to or (dead_letter_path(path) if path is not None else STDIN_DEAD_LETTERS),
        source,
        resume=name is not None,
    )
    for batch in _batches(lines, source, batch_size):
        recorder.record(name, batch, dead_letters)
        if on_progress is not None:
            on_progress(summary, {})
        if stop is not None and stop.is_set():
            break
    summary.finish()
    return summary
