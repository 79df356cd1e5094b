"""The signals on the pages (docs/brief.md §9 "In the workspace"): the start page's "Needs your attention (N)" and
the company page's Signals, each also a fragment of its own that the page refetches on every new event and every
30 seconds (signals raised by time alone, a deadline passing, come with no event)."""

from __future__ import annotations

import heapq
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from projections.signals.active import now_for_signals, visible
from projections.signals.cache import SIGNALS
from projections.signals.model import Signal, kind_in_words, severity_of
from web.page_context import Page, page
from web.templating import PAGE_HEADERS, render

router = APIRouter(include_in_schema=False)

LISTED = 50
"""A page lists this many signals at most, the most severe and newest first (the count is always whole)."""
EVERY_SECONDS = 30
RANK = {"critical": 0, "warning": 1, "info": 2}


def _moment(p: Page) -> datetime:
    """The page's as-of time, or now: never "everything recorded", which raises every deadline."""
    return p.as_of if p.past else now_for_signals()


def _item(p: Page, s: Signal) -> dict[str, Any]:
    return {"id": s.id, "kind": s.kind, "words": kind_in_words(s.kind), "severity": s.severity,
            "subject": f"{s.subject_type} {s.subject_key}", "link": p.link(s.path), "team": s.team,
            "client": s.client, "since": s.raised_at.strftime("%Y-%m-%d %H:%M UTC")}


def attention(p: Page) -> dict[str, Any]:
    """``{count, signals}``: the active signals the page's person may see (the council: all), the first
    ``LISTED`` of them by severity, then newest first."""
    reader = p.workspace.reader(p.viewer)
    when = _moment(p)
    everything = p.workspace.read(lambda con: SIGNALS.raised_by(con, when), ("signals raised", when))
    found = visible(everything, when, reader)
    # the most severe, then newest first (ties by id, as ``chosen`` orders): only the first LISTED are sorted
    rank = {kind: -RANK[severity_of(kind)] for kind in {s.kind for s in found}}  # each kind's severity once
    ordered = heapq.nlargest(LISTED, found, key=lambda s: (rank[s.kind], s.raised_at, s.id))
    return {"count": len(found), "signals": [_item(p, s) for s in ordered], "listed": LISTED,
            "every": EVERY_SECONDS}


def _fragment(p: Page, title: str) -> Response:
    return HTMLResponse(render("_signals.html", link=p.link, attention=attention(p), signals_title=title,
                               as_of=p.as_of_param), headers=PAGE_HEADERS)


@router.get("/attention", response_class=HTMLResponse)
def attention_fragment(p: Page = Depends(page)) -> Response:
    """The start page's "Needs your attention (N)" alone, for the live refresh."""
    return _fragment(p, "Needs your attention")


@router.get("/company/signals", response_class=HTMLResponse)
def company_signals_fragment(p: Page = Depends(page)) -> Response:
    """The company page's signals alone, for the live refresh."""
    return _fragment(p, "Signals")
