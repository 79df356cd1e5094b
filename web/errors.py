"""Every failure as a clear JSON answer (never a traceback), and the request body size limit."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.stores.lock_wait import LockWaitTimeout
from web.auth import ApiError

log = logging.getLogger(__name__)


def error_body(error: str, rule: str | None = None) -> dict[str, Any]:
    return {"error": error} if rule is None else {"error": error, "rule": rule}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({**error_body(exc.error, exc.rule), **exc.extra}, status_code=exc.status,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(error_body("; ".join(parts) or "invalid request"), status_code=422)

    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(LockWaitTimeout, busy)  # type: ignore[arg-type]

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal error (logged on the server)"), status_code=500)


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """An HTTP error (an unknown path, a method not allowed) as JSON; web.pages answers a browser with a page."""
    return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


async def busy(request: Request, exc: LockWaitTimeout) -> JSONResponse:
    """The store waited its whole bound for a lock another session holds (its transaction was rolled back, so
    nothing was written): a temporary refusal to try again, not a server error."""
    message, headers = busy_refusal(request, exc)
    return JSONResponse(error_body(message), status_code=503, headers=headers)


def busy_refusal(request: Request, exc: LockWaitTimeout) -> tuple[str, dict[str, str]]:
    """The answer's message and headers (``Retry-After``: as long as we waited, by when the holder may be done);
    the operator's details (which table, what to do) go to the log, not to the person asking."""
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    nothing = "; nothing was recorded" if request.method not in ("GET", "HEAD") else ""
    message = f"the store is busy: another session held a lock this request needed for {exc.waited} s{nothing}"
    return f"{message}; try again later", {"Retry-After": str(max(1, exc.waited))}


class BodyLimit:
    """Refuse bodies past ``limit`` bytes with 413: by Content-Length up front, or while they stream in. A file
    uploaded from a page (a multipart form outside ``/api``) may take ``uploads`` bytes, so that the page itself
    can refuse a file past its own limit beside its form."""

    def __init__(self, app: ASGIApp, limit: int, uploads: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        limit = self.limit
        page = not str(scope.get("path", "")).startswith("/api")
        if self.uploads is not None and page and headers.get(b"content-type", b"").startswith(b"multipart/form-data"):
            limit = max(limit, self.uploads)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._too_large(send, limit)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit)

    async def _too_large(self, send: Send, limit: int) -> None:
        response = JSONResponse(error_body(f"request body larger than {limit} bytes"), status_code=413)
        await response({"type": "http"}, _no_receive, send)


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
