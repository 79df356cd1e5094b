"""``client show`` as a reader may see it (docs/brief.md §10 "Reads"), over ``projections.client_view``'s answer.

A client exists only for the company's people and the client's own representatives (anyone else: None,
a 404 that tells nothing). A client's personal fields (name, description) and complaint texts (the complaint's
``text`` and its ``resolution``, both written by people about the client) are for the
teams concerned (``teams`` of the answer: a promise, proposition, canvas or feedback for the client), the
client's representatives and the council: others read them ``null``, named in ``redacted``. Value
propositions and canvases are internal: an external client reads them ``null`` too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain import read_policy as rp
from domain.read_policy import Viewer

PERSONAL = ("name", "description")
INTERNAL = ("value_propositions", "value_propositions_count", "canvases", "canvases_count")
COMPLAINT_LISTS = ("open_complaints", "resolved_complaints")
COMPLAINT_TEXTS = ("text", "response", "resolution")
"""A complaint's personal texts: what the client said, the answer given and how it was resolved (docs/brief.md
§10, §9)."""


def concerned(viewer: Viewer, view: dict[str, Any]) -> Viewer:
    """``viewer``, concerned with this client when one of their teams is among the answer's ``teams``."""
    if viewer.teams & set(view["teams"]):
        return replace(viewer, concerned=viewer.concerned | {view["client"]})
    return viewer


def without_texts(complaint: dict[str, Any]) -> dict[str, Any]:
    """The complaint with each of its personal texts it carries nulled and named in ``redacted``."""
    texts = [field for field in COMPLAINT_TEXTS if field in complaint]
    return {**complaint, **dict.fromkeys(texts), "redacted": texts}


def client_answer(viewer: Viewer, view: dict[str, Any] | None) -> dict[str, Any] | None:
    if view is None or not rp.may_see_client(viewer, view["client"]):
        return None
    if viewer.council:
        return view
    who = concerned(viewer, view)
    client = view["client"]
    answer = dict(view)
    paths: list[str] = []
    if not rp.may_see_client_details(who, client):
        answer.update(dict.fromkeys(PERSONAL))
        paths.extend(PERSONAL)
    for name in COMPLAINT_LISTS:
        rows = [c if rp.may_see_feedback_text(who, c["team"], client) else without_texts(c) for c in view[name]]
        paths.extend(sorted({f"{name}.{field}" for c in rows for field in c.get("redacted", ())}))
        answer[name] = rows
    if not rp.may_see_internal(who):
        answer.update(dict.fromkeys(INTERNAL))
        paths.extend(INTERNAL)
    if paths:
        answer["redacted"] = sorted(paths)
    return answer
