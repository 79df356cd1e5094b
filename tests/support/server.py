"""Real `clientocracy serve` processes for the API tests: started on a free loopback port, stopped after."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.cli import CLI
from tests.support.ports import free_port


class ServerFailed(RuntimeError):
    """The server did not become ready; ``process`` (killed and reaped by then) says which and how it ended."""

    def __init__(self, message: str, process: subprocess.Popen[bytes]) -> None:
        super().__init__(message)
        self.process = process


class ServerProcess:
    """``options`` are passed to ``serve``; ``port`` (a free one unless given) and ``ready_timeout`` are for the
    tests of a server that fails to start: it is killed and reaped then, never left running behind the test."""

    def __init__(self, store: str, views: Path, log: Path, *options: str, port: int | None = None,
                 ready_timeout: float = 60) -> None:
        self.store = store
        self.views = views
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [*CLI, "serve", "--store", store, "--views", str(views), "--port", str(self.port), *options],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ},
        )
        try:
            self.wait_ready(ready_timeout)
        except BaseException:  # a failed start, or the test interrupted while waiting
            self.kill()
            raise

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerFailed(f"server exited {self.process.returncode}: {self.log_path.read_text()}",
                                   self.process)
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise ServerFailed(f"server not ready in {timeout} s: {self.log_path.read_text()}", self.process)

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def stop(self) -> None:
        """SIGINT, as an operator stops it; killed if it has not ended within 15 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        self.kill()

    def kill(self) -> None:
        """Killed (if still running) and reaped, its log closed."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.log.close()
