"""The app factory: routes, the one error mapper, the security middleware, gzip of every response large
enough, our own static files (web/assets.py), and an offline page documenting the API."""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response

from cloudblame import __version__
from cloudblame.pipeline.sync import SyncLoop
from cloudblame.web import api, costs, insights, pages
from cloudblame.web.assets import static_response
from cloudblame.web.common import Snapshots, page
from cloudblame.web.errors import install_error_handlers
from cloudblame.web.security import guard

GZIP_MINIMUM_BYTES = 1000  # smaller responses gain little from compression


def create_app(db_path: str | os.PathLike[str], token: str | None = None, *, sync: SyncLoop | None = None) -> FastAPI:
    """The web app on the store at ``db_path``: each request reads the newest published snapshot (new
    ones appear as ingests, or ``sync`` in this process, publish them). With ``token``, every request must
    carry it; without, only loopback Host names are answered."""
    app = FastAPI(
        title="cloudblame", version=__version__, docs_url=None, redoc_url=None,
        description="git blame for an AWS account. Every page of the web UI has its JSON here, in the "
                    "shapes of the CLI's `--format json`.",
    )
    app.state.db_path = str(db_path)
    app.state.token = token or None
    app.state.snapshots = Snapshots(str(db_path))
    app.state.sync = sync
    install_error_handlers(app)
    app.middleware("http")(guard)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.include_router(api.router)
    app.include_router(insights.api)
    app.include_router(costs.api)
    app.include_router(pages.router)
    app.include_router(insights.pages)
    app.include_router(costs.pages)
    _add_assets(app)
    return app


def _add_assets(app: FastAPI) -> None:
    @app.get("/static/{name}", include_in_schema=False)
    def static_file(request: Request, name: str) -> Response:
        return static_response(request, name)

    @app.get("/api/sync", tags=["store"])
    def sync_status() -> dict[str, Any]:
        """The server's own sync (``serve --sync``): how often, how many runs, the last run's summaries."""
        if app.state.sync is None:
            raise StarletteHTTPException(404, "this server does not sync its store (start it with --sync)")
        status: dict[str, Any] = app.state.sync.status()
        return status

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        return page(request, "docs.html", spec=app.openapi(), json_url="/openapi.json")
