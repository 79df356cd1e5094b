"""Real `clientocracy serve` processes for the API tests: started on a free loopback port, stopped after."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "scripts"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(self, store: str, views: Path, log: Path) -> None:
        self.store = store
        self.views = views
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [*CLI, "serve", "--store", store, "--views", str(views), "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ},
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited {self.process.returncode}: {self.log_path.read_text()}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log_path.read_text()}")

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def cli(*args: str, store: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *args, "--store", store], input=stdin, capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}: {result.stderr}")
    return result


def issue(store: str, person: str, *extra: str) -> dict[str, Any]:
    return json.loads(cli("token", "issue", person, "--json", *extra, store=store).stdout)  # type: ignore[no-any-return]


def import_lines(store: str, lines: list[dict[str, Any]]) -> None:
    cli("import", "-", store=store, stdin="".join(json.dumps(line) + "\n" for line in lines))
