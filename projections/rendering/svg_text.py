"""Text inside server-drawn SVG: escaping and line wrapping by an estimated width (no fonts to measure with).

Names come from users, so every piece of text goes through ``esc``; labels are wrapped here rather than
clipped by the drawing's edge.
"""

from __future__ import annotations

import html
import re

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PIECES = re.compile(r"\s*[^\s\-_:./]*[\-_:./]*")
CHAR_EM = 0.62  # a generous average character width of system-ui text, in ems


def esc(value: object) -> str:
    """Text or attribute value as markup that is also well-formed XML (characters XML forbids are dropped)."""
    return html.escape(_NOT_XML.sub("", str(value)))


def text_width(text: str, font_size: float) -> float:
    return len(text) * font_size * CHAR_EM


def longest_piece(text: str) -> int:
    """The longest run ``wrap`` never breaks: a label narrower than its column needs no cut word."""
    return max((len(piece.strip()) for piece in _PIECES.findall(text)), default=0)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken at spaces or after - _ : . /; a longer word is cut."""
    width = max(width, 1)
    lines: list[str] = []
    line = ""
    for piece in filter(None, _PIECES.findall(text)):
        if line and len(line + piece.rstrip()) > width:
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    lines.append(line.rstrip())
    return [chunk[i:i + width] for chunk in lines for i in range(0, max(len(chunk), 1), width)]
