"""The README's quick start step 3 works when pasted into a shell, as the README has it.

Pasted, its `curl`s once ran a few hundredths of a second after `serve &`, before the server
listened (it needs a second or more to start), so they printed nothing and the step failed silently.
The test runs the README's own text (only the port and the `.venv` path changed), so it follows
the README when the README changes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ports import free_port

pytestmark = pytest.mark.processes  # the CLI and the server

ROOT = Path(__file__).resolve().parents[2]


def step(number: int) -> str:
    """The lines of the quick start's bash block from step `number`'s comment to the next step's."""
    block = re.search(r"## Quick start\n.*?```bash\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block is not None, "the README has no quick start block"
    found = re.search(rf"^# {number}\. .*?(?=^# {number + 1}\. |\Z)", block.group(1), re.S | re.M)
    assert found is not None, f"the quick start has no step {number}"
    return found.group(0)


def test_step_3_pasted_into_a_shell_forms_a_team_through_the_running_server(tmp_path: Path) -> None:
    launcher = tmp_path / ".venv" / "bin" / "clientocracy"  # the install of steps 1-2, run from this checkout
    launcher.parent.mkdir(parents=True)
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m scripts "$@"\n')
    launcher.chmod(0o755)
    text = step(3).replace("8000", str(free_port()))
    shell = subprocess.Popen(["bash", "-c", text + "\nkill $!; wait\n"], cwd=tmp_path, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             env={k: v for k, v in os.environ.items() if not k.startswith("CLIENTOCRACY_")})
    try:
        out, err = shell.communicate(timeout=120)
    finally:
        if shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
    out = re.sub(r"INFO: [^\n]*\n?", "", out)  # the server's access log shares the terminal
    start = out.find("{")  # the two answers, printed back to back (curl adds no newline)
    assert start >= 0, f"the pasted step printed no answer:\n{out}\n{err[-3000:]}"
    formed, end = json.JSONDecoder().raw_decode(out, start)
    team, _ = json.JSONDecoder().raw_decode(out, end)
    assert formed == {"status": "accepted", "events": 1}
    assert team["team"] == "kitchen" and team["members"] == []
