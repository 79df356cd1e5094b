"""``/api/docs``: Swagger UI on the API's OpenAPI document, served from this server alone.

FastAPI's default page loads Swagger UI from a CDN, so offline (or behind a strict proxy) it
stayed blank; the ``swagger-ui-bundle-v2`` package carries the same files, served here.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/api/docs/assets"


def install(app: FastAPI) -> None:
    """Serve the docs page and its assets (FastAPI's own ``docs_url`` must be None)."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/api/openapi.json",
                                   title=f"{app.title} API", swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{ASSETS}/favicon-32x32.png")
