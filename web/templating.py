"""Jinja2 for the workspace: autoescaping on (client text is untrusted), a few number and time filters.

Charts come from ``projections.rendering.charts``, which escapes every data string itself; they are the only markup
a page embeds, wrapped in ``Markup`` by ``chart``. Nothing a user or client typed is ever marked safe.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from web.complaint_words import complaint_clock, duration_words, resolved_clock, span

ENV = Environment(
    loader=PackageLoader("web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _num(value: float | int | None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1%}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _when(value: str | None) -> str:
    """ISO-8601 UTC text as 'YYYY-MM-DD HH:MM' (UTC), the way people read it."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC"


@pass_context
def _money(context: Context, value: float | int | None) -> str:
    """An amount with the server's currency (the page's ``currency``), e.g. "1,200 EUR"; no unit when none is set."""
    currency = context.get("currency") or ""
    text = _num(value)
    return f"{text} {currency}" if currency and value is not None else text


def _val(value: Any) -> str:
    """A term's value: numbers as numbers, lists comma-separated, the rest as text."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int | float):
        return _num(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@pass_context
def _person_name(context: Context, person: Any) -> str:
    """A person's name, not their key (``web.names``: the page's ``names``); the key where no names are loaded."""
    names = context.get("names")
    return str(names(person)) if callable(names) else ("" if person is None else str(person))


ENV.filters.update(num=_num, money=_money, pct=_pct, share=_share, when=_when, val=_val, person_name=_person_name,
                   complaint_clock=complaint_clock, resolved_clock=resolved_clock, duration=duration_words,
                   span=span)


def chart(svg: str) -> Markup:
    """A chart from ``projections.rendering.charts`` (its data text is escaped there) as markup for a template."""
    return Markup(svg)  # escaped by projections.rendering.charts, never user markup


def linker(as_of: str | None) -> Callable[..., str]:
    """``link(path, **query)``: a page address that keeps the as-of date the user is looking at."""

    def link(path: str, **query: Any) -> str:
        params = {k: v for k, v in query.items() if v is not None}
        if as_of:
            params["as_of"] = as_of
        path, mark, fragment = path.partition("#")  # a signal's link may name a part of its page
        return quote(path, safe="/") + ("?" + urlencode(params) if params else "") + mark + quote(fragment)

    return link


# Every page: no inline script or style, nothing from elsewhere, never inside a frame, forms post home.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def render(template: str, **context: Any) -> str:
    return ENV.get_template(template).render(**context)
