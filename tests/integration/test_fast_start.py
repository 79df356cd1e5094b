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
