"""Stopping long-running commands under load: a CPU burner, a writer that keeps a store busy, and the
time from a stop signal to the process's exit (the test asserts a bound, ``bench.bench_stop`` measures)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.scenario import Scenario

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def busy_cpu(burners: int | None = None) -> Iterator[None]:
    """One spinning process per core (at the lowest priority the OS gives without privileges: none, they
    compete as equals with what they slow down)."""
    processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                 for _ in range(burners or os.cpu_count() or 2)]
    try:
        yield
    finally:
        for process in processes:
            process.kill()
            process.wait()


@contextmanager
def busy_store(store: str, every: float = 0.05) -> Iterator[None]:
    """A thread recording a new team every ``every`` seconds, so a follower keeps catching up."""
    from domain.service.ledger import Ledger

    done = threading.Event()

    def write() -> None:
        ledger = Ledger.open(store)
        try:
            n = 0
            while not done.wait(every):
                n += 1
                ledger.execute(Scenario().team(f"busy-{n}").commands())
        finally:
            ledger.close()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=30)


def stop_seconds(process: subprocess.Popen[Any], sig: int, limit: float) -> float:
    """Seconds from ``sig`` to the exit; past ``limit`` the process is killed and the test fails."""
    started = time.monotonic()
    process.send_signal(sig)
    try:
        process.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # with PYTHONFAULTHANDLER set: every thread's stack on stderr
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        said = process.stderr.read()[-6000:] if process.stderr is not None else ""
        raise AssertionError(f"{process.args!r} did not exit within {limit:g} s of {signal.Signals(sig).name}"
                             f"{chr(10) + said if said else ''}") from None
    return time.monotonic() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_until_handling_stop(process: subprocess.Popen[Any], timeout: float = 60) -> None:
    """Wait until the process catches SIGTERM (its stop handlers are installed: before that, a signal
    finds Python's defaults, and the command has not started its work)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        status = Path(f"/proc/{process.pid}/status").read_text()
        caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:")).split()[1], 16)
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.05)
    raise AssertionError(f"{process.args!r} did not install its stop handlers within {timeout:g} s")
