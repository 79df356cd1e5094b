"""The tests' server (``tests.support.server.ServerProcess``) leaves nothing running when it fails to start:
a server still starting when its wait ends, or one that exits (its port taken), is killed and reaped, so no
process outlives the test that started it and the next tests do not share the machine with it."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server import ServerFailed, ServerProcess

pytestmark = pytest.mark.processes  # real servers


def _gone(pid: int) -> bool:
    """No such process: ended and reaped (a zombie still answers signal 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    os.kill(pid, signal.SIGKILL)  # the leak this test exists for: end it, the test fails anyway
    return False


@pytest.fixture
def store(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port something else listens on (and never answers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_server_not_ready_in_time_is_killed_and_reaped(store: str, tmp_path: Path) -> None:
    with pytest.raises(ServerFailed, match=r"server not ready in 0\.01 s") as failed:
        ServerProcess(store, tmp_path / "views.duckdb", tmp_path / "server.log", ready_timeout=0.01)
    assert failed.value.process.returncode == -signal.SIGKILL  # it was still starting: killed
    assert _gone(failed.value.process.pid)


def test_a_server_whose_port_is_taken_is_reaped_and_says_why(store: str, tmp_path: Path, taken_port: int) -> None:
    with pytest.raises(ServerFailed, match=r"server exited \d") as failed:
        ServerProcess(store, tmp_path / "views.duckdb", tmp_path / "server.log", port=taken_port)
    assert "address already in use" in str(failed.value).lower()
    assert _gone(failed.value.process.pid)


def test_a_server_that_started_stops_on_sigint(store: str, tmp_path: Path) -> None:
    server = ServerProcess(store, tmp_path / "views.duckdb", tmp_path / "server.log")
    server.stop()
    assert server.process.returncode == 0 and server.log.closed
    assert _gone(server.process.pid)
