"""One mapper from exceptions to responses, for every route: what went wrong in a sentence (a page,
or JSON under /api), the right status, never a traceback, never a path on the server.

By kind (cloudblame.core.errors): NotFound 404, Ambiguous 300 (with the candidates), any other UserError
(BadInput) and invalid query parameters 400, StoreError 503 (the store cannot be read, said in general
terms: no store yet, written by a newer cloudblame...), HTTP errors as they are; anything else is a
fault: 500, its traceback in the server's log."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from cloudblame.core.errors import Ambiguous, NotFound, StoreError, UserError
from cloudblame.web.common import is_api, json_response, page

log = logging.getLogger("cloudblame.web")

TITLES = {300: "Several match", 400: "Bad request", 401: "Token required", 404: "Not found",
          405: "Method not allowed", 500: "Internal error", 503: "Store unavailable"}


def _validation_reason(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def classify(exc: Exception) -> tuple[int, str, dict[str, Any]]:
    """(status, message, extra JSON fields) for an exception."""
    if isinstance(exc, Ambiguous):
        return 300, str(exc), {"candidates": exc.candidates}
    if isinstance(exc, NotFound):
        return 404, str(exc), {}
    if isinstance(exc, RequestValidationError):
        return 400, _validation_reason(exc), {}
    if isinstance(exc, UserError):
        return 400, str(exc), {}
    if isinstance(exc, StoreError):
        return 503, f"store unavailable: {exc.reason}", {}
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and detail == "Not Found":
            detail = "no such page"
        return exc.status_code, detail, {}
    return 500, "internal error (see the server log)", {}


def error_response(request: Request, exc: Exception) -> Response:
    status, message, extra = classify(exc)
    if status == 500:
        log.error("unexpected error on %s", request.url.path, exc_info=exc)
    elif status == 503:
        log.warning("store unavailable on %s: %s", request.url.path, exc)  # with the path: the log is the server's
    headers = {"Retry-After": "2"} if status == 503 else None
    if isinstance(exc, StarletteHTTPException) and exc.headers:
        headers = {**(headers or {}), **exc.headers}
    if is_api(request):
        return json_response({"error": message, "status": status, **extra}, status, headers=headers)
    if isinstance(exc, Ambiguous):
        return chooser(request, exc)
    response = page(request, "error.html", status_code=status, status=status, title=TITLES.get(status, "Error"),
                    message=message, candidates=extra.get("candidates", []))
    if headers:
        response.headers.update(headers)
    return response


async def _handler(request: Request, exc: Exception) -> Response:
    return error_response(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    """Route every expected exception through ``error_response`` (unexpected ones get there through
    the security middleware, so they carry the same headers)."""
    for cls in (UserError, StoreError, RequestValidationError, StarletteHTTPException):
        app.add_exception_handler(cls, _handler)


def chooser(request: Request, exc: Ambiguous) -> Response:
    """The page for a name several resources share (or an event id prefix several events have): a list
    of them, each a link to its own page (the library's message speaks of CLI flags; this one does not)."""
    asked = request.path_params.get("resource") or request.path_params.get("event_id") or ""
    events = bool(exc.candidates) and "time" in exc.candidates[0]
    shown = len(exc.candidates)
    if events:
        message = f"Several events have an id that starts with “{asked}”: choose one (or give more characters)."
    else:
        message = f"{shown} resources are called “{asked}”: choose one."
    return page(request, "chooser.html", status_code=300, message=message, asked=asked, events=events,
                candidates=exc.candidates)
