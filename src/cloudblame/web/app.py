"""The app factory: routes, the one error mapper, the security middleware, our own static files and the
plotly.js of the installed plotly package, and an offline page documenting the API."""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cloudblame import __version__
from cloudblame.sync import SyncLoop
from cloudblame.web import api, pages
from cloudblame.web.common import Snapshots, page
from cloudblame.web.errors import install_error_handlers
from cloudblame.web.security import guard

STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@lru_cache(maxsize=1)
def plotly_js_path() -> Path:
    """plotly.min.js inside the installed plotly wheel (never copied into this repository)."""
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        raise RuntimeError(f"plotly.js not found at {path}: reinstall plotly")
    return path


def create_app(db_path: str | os.PathLike, token: str | None = None, *, sync: SyncLoop | None = None) -> FastAPI:
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
    app.include_router(api.router)
    app.include_router(pages.router)
    _add_assets(app)
    return app


def _add_assets(app: FastAPI) -> None:
    @app.get("/static/{name}", include_in_schema=False)
    def static_file(name: str) -> FileResponse:
        path = STATIC_DIR / name
        if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES or not path.is_file():
            raise StarletteHTTPException(404, f"no static file {name!r}")
        return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "max-age=300"})

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type=STATIC_TYPES[".js"],
                            headers={"Cache-Control": "max-age=86400"})

    @app.get("/api/sync", tags=["store"])
    def sync_status() -> dict:
        """The server's own sync (``serve --sync``): how often, how many runs, the last run's summaries."""
        if app.state.sync is None:
            raise StarletteHTTPException(404, "this server does not sync its store (start it with --sync)")
        return app.state.sync.status()

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        return page(request, "docs.html", spec=app.openapi(), json_url="/openapi.json")
