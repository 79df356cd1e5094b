"""``create_app(settings)``: the FastAPI application a ``clientocracy serve`` process runs.

The JSON API lives under ``/api`` (``web.api``). The people's workspace (``web.pages``) adds its
routes and what else it needs (sessions, static files, error pages) through ``install(app)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from web import api_docs, pages
from web.api import router as api_router
from web.api_lists import router as lists_router
from web.api_privacy import router as privacy_router
from web.api_signals import router as signals_router
from web.api_tokens import router as tokens_router
from web.api_webhooks import router as webhooks_router
from web.errors import BodyLimit, install_error_handlers
from web.limits import RepeatedQuery
from web.openapi import openapi_document
from web.results_csv import UPLOAD_BODY
from web.server import Server
from web.settings import ServerSettings


def create_app(settings: ServerSettings) -> FastAPI:
    server = Server(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        server.start()
        try:
            yield
        finally:
            server.close()

    app = FastAPI(
        title="clientocracy ledger",
        version="1",
        description="Promises, feedback and experiments as immutable events; every change made by an "
        "authenticated person (Authorization: Bearer TOKEN).",
        openapi_url="/api/openapi.json",
        docs_url=None,  # web.api_docs: the same page with its assets served here, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.server = server
    app.state.principal_resolvers = []
    install_error_handlers(app)
    app.include_router(api_router)
    app.include_router(lists_router)
    app.include_router(privacy_router)
    app.include_router(signals_router)
    app.include_router(tokens_router)
    app.include_router(webhooks_router)
    api_docs.install(app)
    pages.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, uploads=UPLOAD_BODY)
    app.add_middleware(RepeatedQuery)
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    return app
