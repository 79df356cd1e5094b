"""What every page's form shares: the CSRF check before anything is read, and how a refusal reads.

Apart from the page routes so that each page module imports it, and ``web.pages`` (which installs
them all) is imported by none of them.
"""

from __future__ import annotations

import math

from fastapi import Request

from web.page_context import PageError
from web.sessions import csrf_ok
from web.workspace import Refused


async def checked_form(request: Request, expected_csrf: str) -> dict[str, str]:
    """The posted form, once its csrf_token matches the session's; otherwise 403 and nothing happens."""
    form = await request.form()
    if not csrf_ok(expected_csrf, form.get("csrf_token")):  # type: ignore[arg-type]
        raise PageError(403, "This form has no valid csrf_token (it must come from a page of this workspace). "
                             "Nothing was recorded.")
    return {key: value for key, value in form.items() if isinstance(value, str)}


def refusal_text(refused: Refused) -> str:
    """What a refused command shows next to its form: the reason, and the rule when it is not in it."""
    if refused.rule is None or refused.rule in refused.message:
        return refused.message
    return f"{refused.message} (rule: {refused.rule})"


def typed_number(text: str | None, label: str) -> float:
    """A number typed into a form; ``ValueError`` naming the field when it is not a finite one."""
    try:
        value = float(text or "")
    except ValueError:
        raise ValueError(f"{label} must be a number, not {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number")
    return value
