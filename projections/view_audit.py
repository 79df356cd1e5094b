"""`verify --views`: compare a views file with a fresh projection of its store, row by row.

``verify`` proves the event store untampered; the views are a cache anyone with the file can
edit. This audit projects the store from zero into a temporary file and compares every fact table
with the views' rows up to the views' tracked position (a fact row depends only on the events
up to its own position, so the fresh rows there must be identical). The views file is opened
read-only: auditing never changes it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from domain.stores.port import LedgerStore
from projections.runner import ProjectionRunner
from projections.tables import FACT_TABLES
from projections.view_store import REBUILD_HINT, check_target, connect


@dataclass
class TableDifference:
    table: str
    missing: int  # rows the fresh projection has and the views lack (or hold changed)
    extra: int  # rows the views hold that the fresh projection does not
    first_position: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "missing": self.missing, "extra": self.extra,
                "first_position": self.first_position}


@dataclass
class ViewsReport:
    views: str
    position: int | None = None
    store_position: int = 0
    problems: list[str] = field(default_factory=list)
    differences: list[TableDifference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "views": self.views, "position": self.position, "store_position": self.store_position,
                "problems": self.problems, "differences": [d.to_dict() for d in self.differences]}


def audit_views(recorder: LedgerStore, views: Path) -> ViewsReport:
    """Every way the views differ from what the store says they should hold."""
    report = ViewsReport(str(views))
    if not check_target(views):
        report.problems.append(f"no views file at {views}")
        return report
    with tempfile.TemporaryDirectory(prefix="clientocracy-verify-views-") as folder:
        fresh = connect(Path(folder) / "fresh.duckdb")
        try:
            report.store_position = ProjectionRunner(recorder, fresh).catch_up(refresh=False).position
            try:
                fresh.execute("ATTACH ? AS audited (READ_ONLY)", [str(views)])
                _compare(fresh, recorder, report)
            except duckdb.CatalogException as error:
                report.problems.append(f"not a complete views file ({str(error).splitlines()[0]}); {REBUILD_HINT}")
            except duckdb.Error as error:
                report.problems.append(f"the views file cannot be read ({str(error).splitlines()[0]}); {REBUILD_HINT}")
        finally:
            fresh.close()
    return report


def _compare(con: duckdb.DuckDBPyConnection, recorder: LedgerStore, report: ViewsReport) -> None:
    tracked = con.execute("SELECT position FROM audited.projection_tracking WHERE name = 'ledger'").fetchone()
    position = report.position = int(tracked[0]) if tracked else 0
    report.problems.extend(_binding_problems(con, recorder, position, report.store_position))
    duplicated = con.execute("SELECT count(*) - count(DISTINCT position) FROM audited.event_log").fetchone()
    if duplicated and duplicated[0]:
        report.problems.append(f"{duplicated[0]} duplicated positions in event_log")
    for table in FACT_TABLES:
        name = table.name
        fresh_rows = f"SELECT * FROM main.{name} WHERE position <= {position}"
        views_rows = f"SELECT * FROM audited.{name}"
        missing, first_missing = _difference(con, f"{fresh_rows} EXCEPT ALL {views_rows}")
        extra, first_extra = _difference(con, f"{views_rows} EXCEPT ALL {fresh_rows}")
        if missing or extra:
            firsts = [p for p in (first_missing, first_extra) if p is not None]
            report.differences.append(TableDifference(name, missing, extra, min(firsts) if firsts else None))


def _difference(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, int | None]:
    row = con.execute(f"SELECT count(*), min(position) FROM ({query})").fetchone()
    return (int(row[0]), None if row[1] is None else int(row[1])) if row else (0, None)


def _binding_problems(con: duckdb.DuckDBPyConnection, recorder: LedgerStore, position: int,
                      store_position: int) -> list[str]:
    problems = []
    if position > store_position:
        problems.append(f"the views' tracking position {position} is beyond the store's newest event "
                        f"({store_position})")
    bound = con.execute("SELECT store_id, position, link FROM audited.views_binding WHERE name = 'ledger'").fetchone()
    if bound is None:
        return problems if position == 0 else [*problems, "the views record no store binding"]
    store_id, bound_position, link = bound
    if int(bound_position) != position:
        problems.append(f"the tracking position {position} differs from the bound position {bound_position}")
    if store_id != recorder.store_identity():
        problems.append("the views were built from another store")
    elif link is not None and recorder.chain_link(int(bound_position)) != bytes(link):
        problems.append(f"the store's event at position {bound_position} is not the one the views were built from")
    return problems
