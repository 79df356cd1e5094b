"""A rebuild makes its Arrow tables from buffers (``projections.arrow_columns``): ``pa.array`` on Python
values imports pandas (0.2 to 0.6 s at the first page), which nothing of ours uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from domain.commands import COMMAND_ADAPTER
from domain.service.ledger import Ledger
from scripts.sample_company import sample_company_commands

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.processes
def test_a_rebuild_and_its_refresh_import_no_pandas(sqlite_url: str, tmp_path: Path) -> None:
    ledger = Ledger.open(sqlite_url)
    try:  # every kind of row: SQL-projected topics, sealed text, the Python projector's tables, economics, outcomes
        result = ledger.execute([COMMAND_ADAPTER.validate_python(c) for c in sample_company_commands()])
        assert not result.rejected, result.rejected[:3]
    finally:
        ledger.close()
    views = tmp_path / "views.duckdb"
    probe = ("import sys\nfrom pathlib import Path\nfrom domain.service.ledger import Ledger\n"
             "from projections.runner import rebuild\n"
             f"ledger = Ledger.open({sqlite_url!r})\nprint(rebuild(ledger.recorder, Path({str(views)!r})).events)\n"
             "ledger.close()\nprint('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(ROOT)})
    events, pandas = done.stdout.split()
    assert int(events) > 1000
    assert pandas == "False"
