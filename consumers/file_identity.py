"""Which file ``ingest file`` reads: a re-run resumes it, and a new file at the same path starts at its first line.

A file is tracked as ``file:<resolved path>#<inode>:<digest of its first line>``. Tracked by its path alone (as
before), the next day's export or a rotated log written where the old one was had its first lines skipped as
read. The identity is taken from the file already open (``os.fstat``, ``os.pread``): opening the path again would
read another file if it was replaced meanwhile, and a pipe's bytes would be lost to the second reader. A pipe, a
FIFO or a terminal (``/dev/stdin``, ``<(zcat x.gz)``) has no identity: it is read untracked, as stdin is.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from eventsourcing.persistence import Tracking

from domain.json_input import MAX_INPUT_BYTES
from domain.service.ledger import Ledger

ADOPTED = "#adopted"
"""Marks a path's position of before the identities as taken over by one of its files (once)."""


def file_identity(path: Path, descriptor: int) -> str | None:
    """The tracking name of the regular file open at ``descriptor``; None for anything else (untracked)."""
    found = os.fstat(descriptor)
    if not stat.S_ISREG(found.st_mode):
        return None
    first = os.pread(descriptor, MAX_INPUT_BYTES + 2, 0).split(b"\n", 1)[0].removesuffix(b"\r")
    return f"{path_name(path)}#{found.st_ino}:{hashlib.sha256(first).hexdigest()[:16]}"


def path_name(path: Path) -> str:
    """``file:<resolved path>``: how the runs name a file, and how it was tracked before its identity was."""
    return f"file:{path.resolve()}"


def file_tracking_name(path: Path) -> str:
    """The tracking name of the file at ``path`` now."""
    with path.open("rb") as file:
        name = file_identity(path, file.fileno())
    if name is None:
        raise ValueError(f"{path} is not a regular file")
    return name


def adopted_position(ledger: Ledger, path: Path, name: str) -> int:
    """Where a store tracking ``path`` by its path alone (before identities) had got to, taken over once by the file
    read now if it has no position of its own: the first run after the upgrade resumes there rather than read the
    whole file again (and dead-letter its bad lines twice). 0 when there is nothing to take over."""
    legacy = path_name(path)
    if ledger.tracked_position(name) is not None or ledger.tracked_position(legacy + ADOPTED) is not None:
        return 0
    position = ledger.tracked_position(legacy)
    if position is None:
        return 0
    ledger.record([], tracking=Tracking(legacy + ADOPTED, position), receipts=[])
    return position
