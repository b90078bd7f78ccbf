"""Every request passes here: the token check (when serving with a token), the Host check (without a
token only loopback names are answered, so a web page cannot reach the local server through DNS
rebinding), the security headers on every response, and unexpected errors mapped like the rest."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from cloudblame.core.loopback import host_name, is_loopback
from cloudblame.web.errors import error_response

TOKEN_COOKIE = "cloudblame_token"
# No inline script or style of any kind: the charts are SVG drawn on the server (colours as attributes).
CSP_DIRECTIVES = (
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _refuse(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return error_response(request, StarletteHTTPException(status, message, headers=headers))


def _check_token(request: Request, token: str) -> Response | None:
    """None when the request carries the token; a redirect that sets the cookie after ``?token=``;
    else a 401."""
    given = request.query_params.get("token")
    if given is not None:
        if not _same(given, token):
            return _refuse(request, 401, "wrong token", {"WWW-Authenticate": "Bearer"})
        clean = request.url.remove_query_params("token")
        target = clean.path + (f"?{clean.query}" if clean.query else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response
    if _same(_bearer(request), token) or _same(request.cookies.get(TOKEN_COOKIE), token):
        return None
    return _refuse(request, 401, "this server needs its token: send `Authorization: Bearer TOKEN`, "
                   "or open any page once with ?token=TOKEN (sets a cookie)", {"WWW-Authenticate": "Bearer"})


async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """The HTTP middleware of the app (see the module doc)."""
    token = request.app.state.token
    refused = None
    if token is None and not is_loopback(host_name(request.headers.get("host"))):
        refused = _refuse(request, 400, "this server answers only on localhost (serve with --token to open it up)")
    elif token is not None:
        refused = _check_token(request, token)
    if refused is not None:
        response = refused
    else:
        try:
            response = await call_next(request)
        except Exception as exc:  # noqa: BLE001 - the one mapper turns it into a 500 without traceback
            response = error_response(request, exc)
    response.headers.update(SECURITY_HEADERS)
    return response
