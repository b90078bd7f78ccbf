"""Our own static files (web/static), read once and served from memory. Pages link them by a name that
holds a hash of their content (``/static/app.3f2a9c1b.css``, from ``static_url``), which browsers keep
for a year without asking again: a changed file gets a new name. The plain name answers too, to be
revalidated by its ETag each time. Compression is the app's (gzip of every response large enough)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class Asset:
    """One static file: its body, media type, and the hashed name pages link it by."""

    name: str
    hashed_name: str
    body: bytes
    media_type: str

    @property
    def etag(self) -> str:
        return f'"{self.hashed_name}"'


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:12]
    return Asset(path.name, f"{path.stem}.{digest}{path.suffix}", body, MEDIA_TYPES[path.suffix])


@lru_cache(maxsize=1)
def assets() -> dict[str, Asset]:
    """Every static file by its plain name and by its hashed one."""
    found = [_asset(p) for p in sorted(STATIC_DIR.iterdir()) if p.suffix in MEDIA_TYPES and p.is_file()
             and not p.name.startswith(".")]
    return {**{a.name: a for a in found}, **{a.hashed_name: a for a in found}}


def static_url(name: str) -> str:
    """The URL pages link a static file by (``/static/app.<hash>.css``); templates call it."""
    asset = assets().get(name)
    if asset is None:
        raise ValueError(f"no static file {name!r} in {STATIC_DIR}")
    return f"/static/{asset.hashed_name}"


def static_response(request: Request, name: str) -> Response:
    """The file by either name: kept for a year under its hashed name, else revalidated (304 when the
    browser's copy, by ETag, is current)."""
    asset = assets().get(name)
    if asset is None:
        raise StarletteHTTPException(404, f"no static file {name!r}")
    hashed = name == asset.hashed_name
    headers = {"Cache-Control": IMMUTABLE if hashed else REVALIDATE, "ETag": asset.etag}
    if not hashed and asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
