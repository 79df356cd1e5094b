"""The show commands' short road (``scripts.entry``) starts without the CLI framework and pydantic: every
module it imports, the service's views rule included, is checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHORT_ROAD = ["scripts.entry", "scripts.reading", "scripts.render", "domain.service.views", "domain.stores.common",
              "projections.views_file", "projections.queries", "projections.served_views", "projections.view_store"]
HEAVY = ["pydantic", "typer", "fastapi", "click"]


@pytest.mark.processes
def test_the_show_commands_short_road_imports_no_framework() -> None:
    probe = (f"import importlib, json, sys\nfor name in {SHORT_ROAD!r}: importlib.import_module(name)\n"
             f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT)})
    assert json.loads(done.stdout) == []


@pytest.mark.processes
def test_the_show_commands_short_road_leaves_the_experiment_statistics_for_the_answers_that_use_them() -> None:
    """Opening the views without refreshing them (a show command) needs no experiment outcomes: their
    statistics modules are a good part of a start."""
    probe = (f"import importlib, json, sys\nfor name in {SHORT_ROAD!r}: importlib.import_module(name)\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('projections.experiment', 'scipy')))))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT)})
    assert json.loads(done.stdout) == []


def modules_of_a_start(args: list[str], tmp_path: Path) -> set[str]:
    """The top-level packages a real ``clientocracy ARGS`` process has imported when it ends."""
    listing = tmp_path / "modules.json"
    probe = ("import atexit, json, sys\n"
             f"atexit.register(lambda: open({str(listing)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
             f"sys.argv = ['clientocracy', *{args!r}]\n"
             "from scripts.entry import main\nmain()\n")
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, input="",
                   env={"PYTHONPATH": str(ROOT)}, timeout=120)
    return set(json.loads(listing.read_text()))


@pytest.mark.processes
def test_a_command_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Every CLI process imports the command tree: a module one command needs (DuckDB for the views, the
    PostgreSQL driver, the commands' models, the key cipher) is imported by that command, not by the tree,
    so the other commands start without it."""
    store = f"sqlite:///{tmp_path / 'ledger.db'}"
    subprocess.run([sys.executable, "-m", "scripts", "import", "-", "--store", store], cwd=ROOT, input="",
                   capture_output=True, text=True, check=True, env={"PYTHONPATH": str(ROOT)}, timeout=120)
    helped = modules_of_a_start(["--help"], tmp_path)
    assert helped & {"duckdb", "cryptography", "domain.personal_data"} == set()
    verified = modules_of_a_start(["verify", "--store", store], tmp_path)
    assert verified & {"duckdb", "psycopg", "domain.commands", "domain.handlers"} == set()
    assert {"duckdb", "psycopg"} & modules_of_a_start(["token", "list", "--store", store], tmp_path) == {"duckdb"}
