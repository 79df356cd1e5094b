"""A progress bar on a terminal (by bytes read), silence otherwise; lines are read with the 1 MiB cap."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from domain.json_input import input_size, read_lines


@contextmanager
def byte_progress(stream: IO[bytes], total: int | None) -> Iterator[Iterator[bytes]]:
    if not sys.stderr.isatty():
        yield read_lines(stream)
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), transient=True) as progress:
        task = progress.add_task("importing", total=total)

        def lines() -> Iterator[bytes]:
            for line in read_lines(stream):
                progress.advance(task, input_size(line))
                yield line

        yield lines()
