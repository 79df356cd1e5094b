"""What one ingest run did (its tally and the source positions it knows), and how a run reports progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.service.ledger import Ledger


@dataclass
class IngestSummary:
    """What one ingest run did, per run and per tracked source position."""

    source: str
    consumed: int = 0
    recorded: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    """Every message dead-lettered, ``id_conflicts`` among them."""
    id_conflicts: int = 0
    """Refused for a ``feedback_id`` recorded before with other content (``reason_code`` ``id_conflict``)."""
    already_recorded: int = 0
    undecodable_batches: list[dict[str, Any]] = field(default_factory=list)
    """Kafka record batches that could not be decoded (each dead-lettered whole and stepped over)."""
    positions: dict[str, int] = field(default_factory=dict)
    held_back: list[int] = field(default_factory=list)
    """A file's last line with no line end that is not yet a JSON document (its writer still appending): not
    read, and the position stays before it, so the next run reads it whole."""
    started: float = field(default_factory=time.monotonic)
    first_message: float | None = None
    finished: float | None = None

    def finish(self) -> None:
        self.finished = time.monotonic()

    @property
    def seconds(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    @property
    def rate(self) -> float:
        """Messages per second since the first one arrived (joining a group or waiting idle is not work)."""
        if self.first_message is None:
            return 0.0
        busy = (self.finished or time.monotonic()) - self.first_message
        return self.consumed / busy if busy > 0 else 0.0

    def tally(self, *names: str) -> dict[str, Any]:
        """The counts so far and the positions of ``names``, for a process that records on this run's behalf."""
        return {"consumed": self.consumed, "recorded": self.recorded, "duplicates": self.duplicates,
                "dead_lettered": self.dead_lettered, "id_conflicts": self.id_conflicts,
                "already_recorded": self.already_recorded,
                "positions": {name: self.positions[name] for name in names if name in self.positions},
                "first_message": self.first_message}

    def absorb(self, tally: dict[str, Any]) -> None:
        """Take over the tally of the process that records for this run (its counts are the run's)."""
        for name in ("consumed", "recorded", "duplicates", "dead_lettered", "id_conflicts", "already_recorded"):
            setattr(self, name, tally[name])
        for name, position in tally["positions"].items():  # a late reply never moves a position back
            self.positions[name] = max(position, self.positions.get(name, position))
        if self.first_message is None:
            self.first_message = tally["first_message"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "consumed": self.consumed,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "dead_lettered": self.dead_lettered,
            "id_conflicts": self.id_conflicts,
            "already_recorded": self.already_recorded,
            "undecodable_batches": self.undecodable_batches,
            "positions": dict(sorted(self.positions.items())),
            "held_back": [{"line": line, "reason": "no line end yet and not a JSON document: still being written?"}
                          for line in self.held_back],
            "seconds": round(self.seconds, 3),
            "rate": round(self.rate, 1),
        }


def known_position(ledger: Ledger, summary: IngestSummary, name: str, *, refresh: bool = False) -> int | None:
    """The last recorded position of a source, as the run knows it; ``refresh`` re-reads the store
    (another process may have moved it, e.g. a partition that was owned by another group member)."""
    if refresh or name not in summary.positions:
        stored = ledger.tracked_position(name)
        if stored is None:
            summary.positions.pop(name, None)
            return None
        summary.positions[name] = stored
    return summary.positions[name]


Progress = Callable[[IngestSummary, Mapping[str, int | None]], None]
"""Called now and then with the tally so far and the lag per source position, where known."""
