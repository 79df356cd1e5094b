"""An idle `project --follow` costs next to nothing, and still picks up new events promptly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

import pytest

from tests.support.cli import CLI, run_cli
from tests.support.scenario import Scenario

pytestmark = pytest.mark.processes  # the CLI


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def next_report(stream: IO[str], timeout: float) -> dict[str, object]:
    """The next JSON report the follower prints (indented, so several lines)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        text += line
        if line.rstrip() == "}":
            return json.loads(text)
    raise AssertionError(f"no report within {timeout}s: {text!r}")


def test_idle_follow_backs_off_and_wakes_up_on_new_events(tmp_path: Path, store_url: str) -> None:
    views = tmp_path / "views.duckdb"
    run_cli("import", "-", store=store_url, stdin=Scenario().team("alpha", id="t1").jsonl(), check=True)
    follower = subprocess.Popen([*CLI, "project", "--follow", "--json", "--interval", "0.2", "--store", store_url,
                                 "--views", str(views)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert follower.stdout is not None
        assert next_report(follower.stdout, 60)["position"] == 1
        time.sleep(2.0)  # settled into idle polling
        before = cpu_seconds(follower.pid)
        time.sleep(6.0)
        idle_cpu = cpu_seconds(follower.pid) - before
        assert idle_cpu < 0.15, f"an idle follower used {idle_cpu:.2f} s of CPU in 6 s"

        run_cli("import", "-", store=store_url, stdin=Scenario().team("beta", id="t2").jsonl(), check=True)
        started = time.monotonic()
        assert next_report(follower.stdout, 30)["position"] == 2
        assert time.monotonic() - started < 10
    finally:
        follower.send_signal(signal.SIGINT)
        try:
            follower.wait(timeout=20)
        except subprocess.TimeoutExpired:
            follower.kill()
            follower.wait()
