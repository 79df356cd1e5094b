"""Experiment outcomes (``tests.support.cases.experiments``) on the in-memory store and in-memory views, against
scipy: the same tests the integration tests answer through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.cases.experiments import AS_OF, LINES, ExperimentOutcomes
from tests.support.views import answered_in_memory


@pytest.fixture(scope="module")
def shown() -> Callable[..., Any]:
    return answered_in_memory(LINES, "experiment", ("ab", "ba", "idea"), AS_OF)


class TestExperimentOutcomesInMemory(ExperimentOutcomes):
    """Every figure, projected and computed in memory."""
