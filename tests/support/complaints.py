"""Comparing answers read "now": an open complaint's ``age_seconds`` grows between two reads (docs/brief.md §9)."""

from __future__ import annotations

from typing import Any


def ageless(view: dict[str, Any]) -> dict[str, Any]:
    """A team's or client's answer without its open complaints' ages."""
    return {**view, "open_complaints": [{k: v for k, v in c.items() if k != "age_seconds"}
                                        for c in view["open_complaints"]]}
