"""A signal in words for the retrospective's text and HTML: its reasons are keys and numbers, printed as they are."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def because_text(because: Mapping[str, Any]) -> str:
    """``series=count, week=2026-03-16, value=6, limits: center=0.64 unpl=3.03, rule=1`` (nested maps inline)."""
    return ", ".join(
        f"{key}: " + " ".join(f"{k}={_number(v)}" for k, v in value.items()) if isinstance(value, Mapping)
        else f"{key}={_number(value)}"
        for key, value in because.items()
    )


def subject_text(signal: Mapping[str, Any]) -> str:
    return f"{signal['subject']['type']} {signal['subject']['key']}"


def state_text(signal: Mapping[str, Any]) -> str:
    cleared = signal.get("cleared_at")
    return f"cleared {cleared[:10]}" if cleared else "still active"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
