"""The real CLI in a subprocess, exactly as a user runs it, and the JSON Lines it reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "scripts"]


def run_cli(*args: str, store: str, views: Path | None = None, stdin: str | None = None,
            cwd: Path | None = None, check: bool = False, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `clientocracy ...` in a subprocess, exactly as a user would (``subprocess.TimeoutExpired`` after
    ``timeout`` seconds: a command that hangs fails its test)."""
    command = [*CLI, *args, "--store", store]
    if views is not None:
        command += ["--views", str(views)]
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, cwd=cwd,
                            env={**os.environ, "COLUMNS": "200"}, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{command} exited {result.returncode}: {result.stderr}")
    return result


def cli(*args: str, store: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`run_cli` that must succeed."""
    return run_cli(*args, store=store, stdin=stdin, check=True)


def cli_json(*args: str, store: str, views: Path | None = None) -> Any:
    result = run_cli(*args, "--json", store=store, views=views, check=True)
    return json.loads(result.stdout)


def jsonl(lines: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def import_lines(store: str, lines: list[dict[str, Any]]) -> None:
    """`clientocracy import -` of these lines; the import must succeed."""
    cli("import", "-", store=store, stdin=jsonl(lines))


def issue(store: str, person: str, *extra: str) -> dict[str, Any]:
    """`clientocracy token issue PERSON --json ...`: the token and its details."""
    return json.loads(cli("token", "issue", person, "--json", *extra, store=store).stdout)  # type: ignore[no-any-return]
