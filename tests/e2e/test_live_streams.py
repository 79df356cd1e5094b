"""Live streams (``/api/events``, docs/brief.md §10 cost bounds, issue 17 items 10 and 13): limited per token
and per server (429), idle ones cost no CPU, and a stream ends when its token is revoked or its session
signs out."""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.browser import issue_tokens
from tests.support.cli import run_cli
from tests.support.scenario import Scenario
from tests.support.server import ServerProcess

pytestmark = pytest.mark.processes
ENDS_WITHIN = 6.0


class Server(ServerProcess):
    """`clientocracy serve` with extra options."""

    def __init__(self, store: str, folder: Path, *options: str) -> None:
        super().__init__(store, folder / "views.duckdb", folder / "serve.log", "--log-level", "warning", *options)


def _company(store: str) -> dict[str, str]:
    scenario = Scenario().person("lena", "Lena Lead").person("max").team("delivery").member("lena", lead=True)
    run_cli("import", "-", store=store, stdin=scenario.jsonl(), check=True)
    return issue_tokens(store, {"lena": "read", "max": "read"})


def _open(url: str, headers: dict[str, str]) -> tuple[int, Any]:
    """Open a stream; its status and the open response (close it)."""
    client = httpx.Client(timeout=30, headers=headers)
    response = client.send(client.build_request("GET", url + "/api/events"), stream=True)
    return response.status_code, (client, response)


def _close(opened: Any) -> None:
    client, response = opened
    response.close()
    client.close()


def test_streams_are_limited_per_token_and_per_server(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    tokens = _company(store)
    server = Server(store, tmp_path, "--max-streams-per-token", "3", "--max-streams", "5")
    opened = []
    try:
        lena = {"Authorization": f"Bearer {tokens['lena']}"}
        mx = {"Authorization": f"Bearer {tokens['max']}"}
        for _ in range(3):
            status, stream = _open(server.url, lena)
            opened.append(stream)
            assert status == 200
        status, refused = _open(server.url, lena)
        assert status == 429 and "limit per token" in refused[1].read().decode()
        _close(refused)
        for _ in range(2):
            status, stream = _open(server.url, mx)
            opened.append(stream)
            assert status == 200
        status, refused = _open(server.url, mx)  # max has 2 of 3, but the server has 5 of 5
        assert status == 429 and "this server" in refused[1].read().decode()
        _close(refused)
        _close(opened.pop(0))  # a stream closed frees its place
        deadline = time.monotonic() + 10
        while True:
            status, stream = _open(server.url, mx)
            if status == 200 or time.monotonic() > deadline:
                break
            _close(stream)
            time.sleep(0.2)
        assert status == 200
        opened.append(stream)
        with httpx.Client() as client:
            document = client.get(server.url + "/api/openapi.json").json()
        assert "429" in document["paths"]["/api/events"]["get"]["responses"]
    finally:
        for stream in opened:
            _close(stream)
        server.stop()


def _ends_within(stream: Any, seconds: float) -> float:
    """Seconds until the stream's body ends (read in a thread)."""
    ended = threading.Event()

    def read() -> None:
        try:
            for _ in stream[1].iter_raw():
                pass
        except httpx.HTTPError:
            pass
        ended.set()

    started = time.monotonic()
    threading.Thread(target=read, daemon=True).start()
    assert ended.wait(seconds), f"the stream was still open after {seconds} s"
    return time.monotonic() - started


def test_a_stream_ends_when_its_token_is_revoked(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    _company(store)
    issued = json.loads(run_cli("token", "issue", "max", "--scope", "read", "--json", store=store,
                                check=True).stdout)
    server = Server(store, tmp_path)
    try:
        status, stream = _open(server.url, {"Authorization": f"Bearer {issued['token']}"})
        assert status == 200
        run_cli("token", "revoke", issued["token_id"], store=store, check=True)
        print(f"ended {_ends_within(stream, ENDS_WITHIN):.1f} s after the revocation")
        _close(stream)
    finally:
        server.stop()


def test_a_stream_ends_when_its_session_signs_out(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    tokens = _company(store)
    server = Server(store, tmp_path)
    try:
        with httpx.Client(base_url=server.url, follow_redirects=False, timeout=30) as browser:
            form = browser.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
            assert browser.post("/login", data={"token": tokens["lena"], "csrf_token": csrf}).status_code == 303
            home = browser.get("/")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)  # type: ignore[union-attr]
            response = browser.send(browser.build_request("GET", "/api/events"), stream=True)
            assert response.status_code == 200
            assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303
            print(f"ended {_ends_within((browser, response), ENDS_WITHIN):.1f} s after the sign-out")
            response.close()
    finally:
        server.stop()


async def _idle_streams(port: int, token: str, count: int) -> list[asyncio.StreamWriter]:
    """``count`` open streams, each past its first line (raw sockets: thousands cost the test little)."""
    writers = []
    request = (f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()

    async def one() -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"positions follow")
        assert b" 200 " in head.split(b"\r\n", 1)[0], head[:200]
        return writer

    for start in range(0, count, 200):
        writers += await asyncio.gather(*(one() for _ in range(min(200, count - start))))
    return writers


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_four_thousand_idle_streams_of_one_token_keep_no_core_busy(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    tokens = _company(store)
    server = Server(store, tmp_path, "--max-streams-per-token", "5000", "--max-streams", "5000")
    opened, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    async def hold() -> None:  # in a thread of its own: a test before may have left a loop in this one
        writers = await _idle_streams(server.port, tokens["lena"], 4000)
        opened.set()
        while not done.is_set():
            await asyncio.sleep(0.2)
        for writer in writers:
            writer.close()

    def run() -> None:
        try:
            asyncio.run(hold())
        except BaseException as error:
            failures.append(error)
            opened.set()

    holder = threading.Thread(target=run, daemon=True)
    holder.start()
    try:
        assert opened.wait(120) and not failures, failures
        time.sleep(2.0)
        before = _cpu_seconds(server.process.pid)
        time.sleep(5.0)
        busy = (_cpu_seconds(server.process.pid) - before) / 5.0
        with httpx.Client(timeout=30) as client:
            started = time.monotonic()
            assert client.get(server.url + "/api/health").status_code == 200
            health = time.monotonic() - started
        print(f"4000 idle streams: the server used {busy:.0%} of a core; /api/health in {health * 1000:.0f} ms")
        assert busy < 0.2, f"4000 idle streams kept {busy:.0%} of a core busy"
    finally:
        done.set()
        holder.join(timeout=30)
        server.stop()
