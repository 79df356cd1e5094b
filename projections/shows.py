"""The show answers by kind (``promise``, ``team``, ``experiment``, ``client``), for the CLI, the API and the pages.

Each answer's module is imported only when asked for: a show command starts without the others' imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def show_view(kind: str) -> Callable[..., dict[str, Any] | None]:
    """The function ``(con, key, as_of, **options)`` answering ``kind show`` (None: no such key as of then)."""
    if kind == "client":
        from projections.client_view import client_view

        return client_view
    from projections import queries

    return getattr(queries, f"{kind}_view")  # type: ignore[no-any-return]
