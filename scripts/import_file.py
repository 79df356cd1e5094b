"""`clientocracy import`: JSONL commands in, one transaction per chunk, every bad line named."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from domain.commands import Command, describe_errors, parse_command
from domain.json_input import numbered_lines
from domain.service.ledger import Ledger

CHUNK = 2000
CHUNK_BYTES = 16 * 1024 * 1024
"""A chunk also ends once its lines hold this many bytes, so memory stays bounded whatever the line length."""


@dataclass
class ImportSummary:
    lines: int = 0
    accepted: int = 0
    skipped: int = 0
    events: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "skipped": self.skipped,
            "rejected": len(self.errors),
            "events": self.events,
            "errors": self.errors,
        }


def _chunks(lines: Iterable[str | bytes], size: int) -> Iterator[list[tuple[int, str | bytes]]]:
    """Numbered non-blank lines, ``size`` lines or ``CHUNK_BYTES`` at most per chunk (longer lines
    than ``json_input.MAX_INPUT_BYTES`` arrive as short ``OversizeInput`` heads, rejected by name)."""
    chunk: list[tuple[int, str | bytes]] = []
    held = 0
    for number, line in numbered_lines(lines):  # type: ignore[arg-type]
        if not line.strip():
            continue
        chunk.append((number, line))
        held += len(line)
        if len(chunk) >= size or held >= CHUNK_BYTES:
            yield chunk
            chunk, held = [], 0
    if chunk:
        yield chunk


def import_lines(
    ledger: Ledger,
    lines: Iterable[str | bytes],
    *,
    chunk_size: int = CHUNK,
    on_error: Callable[[int, str], None] | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Validate and record each line; good lines land even when others are rejected."""
    summary = ImportSummary()
    for chunk in _chunks(lines, chunk_size):
        commands: list[Command] = []
        numbers: list[int] = []
        errors: list[tuple[int, str]] = []
        for number, line in chunk:
            summary.lines += 1
            try:
                commands.append(parse_command(line))
                numbers.append(number)
            except ValidationError as error:
                errors.append((number, describe_errors(error)))
        result = ledger.execute(commands)
        summary.accepted += len(result.accepted)
        summary.skipped += len(result.skipped)
        summary.events += result.events
        errors += [(numbers[i], f"{getattr(commands[i], 'type', '')}: {reason}") for i, reason in result.rejected]
        errors += [(numbers[i], f"{getattr(commands[i], 'type', '')}: {reason}") for i, _, reason in result.forbidden]
        errors += [(numbers[i], f"{getattr(commands[i], 'type', '')}: {reason}") for i, reason in result.conflicts]
        for number, reason in sorted(errors):
            summary.errors.append({"line": number, "reason": reason})
            if on_error is not None:
                on_error(number, reason)
        if on_chunk is not None:
            on_chunk(len(chunk))
    return summary
