"""axe-core (WCAG 2.1 A/AA) on a Playwright page: docs/brief.md §8 asks every workspace page to have no serious or
critical violation, at a laptop's width and a phone's.

The axe-core script is the copy the ``axe-playwright-python`` wheel bundles (``axe.min.js``), injected through
Playwright's evaluation (which the pages' Content-Security-Policy does not govern): nothing is fetched, so the
check runs offline. Use ``assert_accessible(page, "what")`` on the page as it stands, or ``assert_accessible_at``
to load a URL at each of ``WIDTHS`` and check it there (and that the page needs no sideways scrolling).
"""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = frozenset({"serious", "critical"})
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
_AXE = Axe()


def violations(page: Any) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on ``page`` now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    found = _AXE.run(page, options=options).response["violations"]
    return [v for v in found if v.get("impact") in FAILING_IMPACTS]


def describe(found: list[dict[str, Any]]) -> str:
    """Every violation: its rule, impact, help text and link, and each offending element's selector."""
    lines = []
    for v in found:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
        lines.extend(f"    at {' '.join(str(part) for part in node['target'])}" for node in v["nodes"])
    return "\n".join(lines)


def assert_accessible(page: Any, context: str) -> None:
    """Fail listing every serious or critical axe-core violation on ``page``; ``context`` says which page and
    width, for the message."""
    found = violations(page)
    assert not found, f"axe-core: {len(found)} serious/critical violation(s) on {context}:\n{describe(found)}"


def assert_fits_width(page: Any, context: str) -> None:
    """docs/brief.md §8: the page needs no sideways scrolling at the window's width (a wide table may scroll inside
    its own region; the page itself may not)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{context} is {overflow}px wider than the window: it scrolls sideways past " + ", ".join(
        page.evaluate(_STICKING_OUT))


_STICKING_OUT = """() => { const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))
    .slice(0, 8) }"""


def assert_accessible_at(page: Any, url: str, context: str, widths: dict[str, tuple[int, int]] = WIDTHS, *,
                         fits: bool = True, opened: str | None = None) -> None:
    """Load ``url`` at each width (a laptop's and a phone's by default) and check it there, and (``fits``) that
    it needs no sideways scrolling; the page is left at the last width. With ``opened`` (a selector), every
    folded part (``details``) is opened first and that element must show: forms are checked open."""
    for label, (width, height) in widths.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        page.wait_for_load_state("load")
        if opened is not None:
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.locator(opened).is_visible(), f"{opened} on {url}"
        where = f"{context} at {label} width {width}x{height}"
        assert_accessible(page, where)
        if fits:
            assert_fits_width(page, where)
