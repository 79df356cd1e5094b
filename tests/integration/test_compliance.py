"""Promise compliance (``tests.support.cases.compliance``), answered by `promise show --json` on SQLite (through the
CLI, as a user runs it) and PostgreSQL (in-process): one store, one import and one batch of answers per store kind.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cases.compliance import AS_OF, CASES, ComplianceRules, scenario_lines
from tests.support.stores import STORES, module_store
from tests.support.views import Request, answers_for, import_file, lookup

pytestmark = pytest.mark.processes  # import and show through the CLI


@pytest.fixture(scope="module", params=STORES)
def shown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every case and as-of request, answered by `promise show --json` on one store kind."""
    directory = tmp_path_factory.mktemp(f"compliance-{request.param}")
    for store in module_store(request.param, directory):
        import_file(scenario_lines(), store, directory)
        requests: list[Request] = [("promise", key, None) for key in CASES]
        requests += [("promise", key, as_of) for key, as_of in AS_OF]
        answers = answers_for(request.param, requests, store, directory / "views.duckdb")
        yield lookup(answers, "promise")


class TestComplianceThroughShow(ComplianceRules):
    """Every compliance rule, on the real stores."""
