"""Small helpers the tests share: run the real CLI, build command lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "scripts"]


def run_cli(*args: str, store: str, views: Path | None = None, stdin: str | None = None,
            cwd: Path | None = None, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `clientocracy ...` in a subprocess, exactly as a user would."""
    command = [*CLI, *args, "--store", store]
    if views is not None:
        command += ["--views", str(views)]
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, "COLUMNS": "200"}, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}: {result.stderr}")
    return result


def cli_json(*args: str, store: str, views: Path | None = None) -> Any:
    result = run_cli(*args, "--json", store=store, views=views, check=True)
    return json.loads(result.stdout)


def jsonl(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)
