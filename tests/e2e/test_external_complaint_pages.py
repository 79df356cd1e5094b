"""An external client reads a team's open complaints: their own clients' only, counted and paged among themselves
(docs/brief.md §10). The team's answer was paged among all its complaints and filtered after: the pages' gaps
told them of other clients' complaints, and their own beyond the newest page of the team's went missing (the API
and the team page showed none of them). A real server on SQLite, the company of ``tests.support.read_company``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import Served, serving
from tests.support.read_company import LINES, TOKENS

pytestmark = pytest.mark.processes  # a real server

OLDER_OWN = 3
NEWER_OTHERS = 120
"""Complaints of another client about the same team, all newer than the shop's: more than a page (100)."""


def _complaint(feedback_id: str, client: str, day: int, hour: int) -> dict[str, Any]:
    at = f"2026-02-{day:02d}T{hour:02d}:00:00Z"
    return {"id": f"x-{feedback_id}", "type": "RecordFeedback", "feedback_id": feedback_id, "client": client,
            "kind": "complaint", "channel": "app", "text": f"Late again ({feedback_id})", "team": "delivery",
            "occurred_at": at, "at": at}


EXTRA = ([_complaint(f"shop-{n}", "shop", 1, n) for n in range(OLDER_OWN)]
         + [_complaint(f"mall-{n}", "mall", 2 + n // 24, n % 24) for n in range(NEWER_OTHERS)])
SHOPS = {"fb-shop", *(f"shop-{n}" for n in range(OLDER_OWN))}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving("sqlite", tmp_path_factory.mktemp("external-pages"), [*LINES, *EXTRA], TOKENS) as server:
        yield server


def _open(served: Served, person: str, query: str = "") -> list[str]:
    status, team = served.api("GET", f"/api/teams/delivery{query}", person)
    assert status == 200, team
    return [c["feedback_id"] for c in team["open_complaints"]]


def test_an_external_client_reads_all_their_own_complaints_and_no_others(served: Served) -> None:
    assert set(_open(served, "rex")) == SHOPS  # before: none (the team's newest 100 are the mall's)
    assert set(_open(served, "rex", "?limit=200")) == SHOPS
    assert len(set(_open(served, "lena", "?limit=200")) - SHOPS) == NEWER_OTHERS  # the team itself reads all


def test_an_external_clients_pages_have_no_gaps(served: Served) -> None:
    pages = [_open(served, "rex", f"?limit=1&offset={k}") for k in range(len(SHOPS) + 2)]
    assert [len(page) for page in pages] == [1] * len(SHOPS) + [0, 0]  # before: gaps where the mall's were
    assert {page[0] for page in pages if page} == SHOPS


def test_the_team_page_counts_an_external_clients_own_complaints(served: Served) -> None:
    page = served.page("rex", "/teams/delivery").text
    heading = re.search(r"Open complaints \((\d+)\)", page)
    assert heading is not None and int(heading.group(1)) == len(SHOPS)
    assert "(mall-" not in page and all(f"(shop-{n})" in page for n in range(OLDER_OWN))
    live = served.page("rex", "/teams/delivery/complaints").text
    assert f"Open complaints ({len(SHOPS)})" in live
