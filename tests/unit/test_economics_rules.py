"""Team economics and open complaints (``tests.support.cases.economics``) on the in-memory store and in-memory
views: every reward-scheme rule without a file or a process, the same tests the integration tests answer
through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.cases.economics import AS_OF, LINES, TEAMS, EconomicsRules, GrowthRules
from tests.support.views import answered_in_memory


@pytest.fixture(scope="module")
def shown() -> Callable[..., Any]:
    return answered_in_memory(LINES, "team", TEAMS, AS_OF)


class TestEconomicsInMemory(EconomicsRules, GrowthRules):
    """Every economics rule, projected and computed in memory."""
