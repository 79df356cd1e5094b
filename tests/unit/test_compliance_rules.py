"""Promise compliance (``tests.support.cases.compliance``) on the in-memory store and in-memory views: every
rule of the SQL macro without a file or a process, the same tests the integration tests answer through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.cases.compliance import AS_OF, CASES, ComplianceRules, scenario_lines
from tests.support.views import answered_in_memory


@pytest.fixture(scope="module")
def shown() -> Callable[..., Any]:
    return answered_in_memory(scenario_lines(), "promise", CASES, AS_OF)


class TestComplianceInMemory(ComplianceRules):
    """Every compliance rule, projected and queried in memory."""
