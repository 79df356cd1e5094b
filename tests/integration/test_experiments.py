"""Experiment outcomes (``tests.support.cases.experiments``), answered by `experiment show --json` on SQLite (through
the CLI) and PostgreSQL (in-process), checked against independent scipy computations.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.cases.experiments import AS_OF, LINES, ExperimentOutcomes
from tests.support.stores import STORES, module_store
from tests.support.views import Request, answers_for, import_file, lookup

pytestmark = pytest.mark.processes  # import and show through the CLI


@pytest.fixture(scope="module", params=STORES)
def shown(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory = tmp_path_factory.mktemp(f"experiments-{request.param}")
    for store in module_store(request.param, directory):
        import_file(LINES, store, directory)
        requests: list[Request] = [("experiment", key, None) for key in ("ab", "ba", "idea")]
        requests += [("experiment", key, as_of) for key, as_of in AS_OF]
        answers = answers_for(request.param, requests, store, directory / "views.duckdb")
        yield lookup(answers, "experiment")


class TestExperimentOutcomesThroughShow(ExperimentOutcomes):
    """Every figure, on the real stores."""
