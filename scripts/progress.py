"""A progress bar on a terminal (by bytes read), silence otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO


@contextmanager
def byte_progress(stream: IO[bytes], total: int | None) -> Iterator[Iterator[bytes]]:
    if not sys.stderr.isatty():
        yield iter(stream)
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), transient=True) as progress:
        task = progress.add_task("importing", total=total)

        def lines() -> Iterator[bytes]:
            for line in stream:
                progress.advance(task, len(line))
                yield line

        yield lines()
