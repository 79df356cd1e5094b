"""A wheel of the project holds every package and runs from itself, not only an editable install.

The package list once named only the five top-level packages, so a wheel (``pip install .``)
lacked ``domain.stores``, ``domain.handlers`` and more, and the installed command failed. The
wheel holds the product and its demo company only: not the benchmarks, the tests or the documents.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.processes  # pip and the CLI

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL = ("domain", "projections", "consumers", "notifications", "scripts", "web")
NOT_PACKAGED = ("bench", "tests", "docs")


def test_the_wheel_holds_every_package_and_the_command_runs_from_it(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: setuptools builds in the tree, and an old build/ would hide a gap
    for top in (*TOP_LEVEL, *NOT_PACKAGED):  # the folders left out are there, as in a checkout
        shutil.copytree(ROOT / top, source / top, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(source), "-w", str(tmp_path / "dist")],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = sorted(str(init.parent.relative_to(ROOT))
                      for top in TOP_LEVEL for init in (ROOT / top).rglob("__init__.py"))
    assert len(packages) > len(TOP_LEVEL)
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    assert any(name.startswith("web/templates/") for name in names)
    assert any(name.startswith("web/static/") for name in names)
    assert "projections/rendering/report.html" in names  # the HTML report's document, package data
    tops = {name.split("/")[0] for name in names if ".dist-info/" not in name}
    assert tops == set(TOP_LEVEL), sorted(tops)  # no bench/, tests/ or docs/: the product only

    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = ("import domain.stores.sqlite, domain.handlers, projections.experiment_stats, projections.page_stream, "
             "web.app, scripts.entry; print(domain.stores.sqlite.__file__)")
    # The unpacked wheel comes first on the path (before the editable install's finder).
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(unpacked)}, timeout=120)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip().startswith(str(unpacked)), ran.stdout
    demo = subprocess.run([sys.executable, "-m", "scripts", "demo", "--out", str(tmp_path / "demo")],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(unpacked)}, timeout=600)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert (tmp_path / "demo" / "retrospective.html").read_text(encoding="utf-8").startswith("<!doctype html>")
