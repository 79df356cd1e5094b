"""Untrusted text made safe for a terminal: control characters shown, never obeyed.

Client feedback, promise statements, keys and reasons come from outside; written raw, a
``\\x1b[2J`` clears the operator's screen and ``\\x1b]0;…\\x07`` retitles the window (or worse on
some terminals).  Every human-readable output passes text through ``printable``; ``--json``
output stays exact (JSON escapes control characters itself).
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides and
# isolates that can make a terminal show text in another order than it is ("Trojan Source").
_UNSAFE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as text with every unsafe character written as a visible escape (``\\x1b``)."""
    return _UNSAFE.sub(_shown, str(value))
