"""Team economics and open complaints (``tests.support.cases.economics``), answered by `team show --json` on SQLite
(through the CLI) and PostgreSQL (in-process): every team is a case of its own in one store.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cases.economics import AS_OF, LINES, TEAMS, EconomicsRules, GrowthRules
from tests.support.stores import STORES, module_store
from tests.support.views import Request, answers_for, import_file, lookup

pytestmark = pytest.mark.processes  # import and show through the CLI


@pytest.fixture(scope="module", params=STORES)
def shown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory = tmp_path_factory.mktemp(f"economics-{request.param}")
    for store in module_store(request.param, directory):
        import_file(LINES, store, directory)
        requests: list[Request] = [("team", team, None) for team in TEAMS]
        requests += [("team", team, as_of) for team, as_of in AS_OF]
        answers = answers_for(request.param, requests, store, directory / "views.duckdb")
        yield lookup(answers, "team")


class TestEconomicsThroughShow(EconomicsRules, GrowthRules):
    """Every economics rule, on the real stores."""
