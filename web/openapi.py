"""``/api/openapi.json``, the truth about the API (docs/brief.md §10): FastAPI's document, the command and
feedback schemas the two POST bodies refer to, as the API accepts them (no ``actor``: the API records the
authenticated person), and every status an operation can answer, each with the one error body."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from domain import commands as c

ERROR = {"type": "object", "required": ["error"], "properties": {
    "error": {"type": "string", "description": "What was wrong, naming the field or rule"},
    "rule": {"type": "string", "description": "The rule a refused command broke (403)"},
    "did_you_mean": {"type": "array", "items": {"type": "string"},
                     "description": "404 of an unknown key: the nearest keys of its kind the reader may see"}}}
ERROR_STATUSES = {
    "401": "No token, or an unknown, revoked or expired one",
    "403": "Refused by a rule (the token's scope, the permission table, the read rules): `rule` names it",
    "404": "Not found, or not readable by this person",
    "409": "An idempotency key used before with other content, or a write race lost after every retry",
    "413": "A body over 1 MiB, or an array of more than 1,000 commands",
    "422": "Invalid input: a field, a query parameter (repeated past 10 times, limit or offset out of range), "
           "JSON nested too deeply, or an invariant broken",
    "429": "Too many live streams for this token or this server",
    "503": "The store is busy: another session held a lock the request needed for the whole lock wait bound "
           "(`CLIENTOCRACY_PG_LOCK_TIMEOUT`, SQLite's `CLIENTOCRACY_SQLITE_BUSY_TIMEOUT`); nothing was recorded. "
           "Try again after `Retry-After` seconds",
}
HEADERS = {"503": {"Retry-After": {"description": "Seconds to wait before trying again",
                                   "schema": {"type": "integer"}}}}
PUBLIC = {"/api/health": ("413", "422")}
"""Operations anyone may call, and the only error statuses they can answer (the body and query limits)."""


def _api_commands(components: dict[str, Any]) -> None:
    """The command models as the API takes them: ``actor`` is the authenticated person, never a field."""
    for schema in components.values():
        properties = schema.get("properties", {})
        if "type" in properties and "actor" in properties:
            del properties["actor"]
            schema["required"] = [name for name in schema.get("required", []) if name != "actor"]


def _statuses(schema: dict[str, Any]) -> None:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in PUBLIC.get(path, ERROR_STATUSES):
                responses[status] = {"description": ERROR_STATUSES[status], "content": error,
                                     **({"headers": HEADERS[status]} if status in HEADERS else {})}


def openapi_document(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    template = "#/components/schemas/{model}"
    commands = c.COMMAND_ADAPTER.json_schema(ref_template=template)
    command_models = commands.pop("$defs", {})
    _api_commands(command_models)
    components.update(command_models)
    components["Command"] = commands
    feedback = c.FeedbackMessage.model_json_schema(ref_template=template)
    components.update(feedback.pop("$defs", {}))
    components["FeedbackMessage"] = feedback
    components["Error"] = ERROR
    _statuses(schema)
    app.openapi_schema = schema
    return schema
