"""The MCP server over streamable HTTP (`cloudblame mcp --http`, endpoint ``/mcp``), with the rule of
`cloudblame serve`: without a token only loopback Host names are answered (the SDK's DNS-rebinding
protection, so a web page cannot reach the local server through a name it controls); with a token every
request must carry it as ``Authorization: Bearer TOKEN`` (compared in constant time), whatever the Host.
Binding beyond loopback without a token is refused by the command before anything here runs."""

from __future__ import annotations

import hmac
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from cloudblame.core.loopback import LOOPBACK_HOSTS
from cloudblame.mcpserver.server import create_server

ENDPOINT = "/mcp"
# the loopback names as a Host header carries them (an IPv6 address in brackets)
LOOPBACK_NAMES = tuple(f"[{h}]" if ":" in h else h for h in sorted(LOOPBACK_HOSTS))


def loopback_only(host: str) -> TransportSecuritySettings:
    """Host (and Origin) checks that answer loopback names alone, with or without a port; ``host``, the
    bound address, among them (a 127.x other than 127.0.0.1)."""
    bound = f"[{host}]" if ":" in host else host
    names = list(dict.fromkeys((*LOOPBACK_NAMES, bound)))
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[*names, *(f"{n}:*" for n in names)],
        allowed_origins=[f"http://{n}{port}" for n in names for port in ("", ":*")],
    )


class BearerGuard:
    """ASGI middleware: an HTTP request without ``Authorization: Bearer <token>`` gets a 401."""

    def __init__(self, app: ASGIApp, token: str):
        self.app = app
        self.token = token.encode()

    def carries_token(self, scope: Scope) -> bool:
        scheme, _, value = Headers(scope=scope).get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.carries_token(scope):
            await self.app(scope, receive, send)
            return
        refusal = PlainTextResponse("this server needs its token: send `Authorization: Bearer TOKEN`",
                                    status_code=401, headers={"WWW-Authenticate": "Bearer"})
        await refusal(scope, receive, send)


def http_app(server: MCPServer[Any], *, host: str, token: str | None) -> ASGIApp:
    """The ASGI app serving ``server`` at ENDPOINT: loopback names only without ``token``; with it, every
    request must carry it."""
    if token:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        return BearerGuard(server.streamable_http_app(streamable_http_path=ENDPOINT, transport_security=security,
                                                      host=host), token)
    return server.streamable_http_app(streamable_http_path=ENDPOINT, transport_security=loopback_only(host), host=host)


def run_http(db_path: str, *, host: str, port: int, token: str | None) -> None:
    """Serve over streamable HTTP at http://HOST:PORT/mcp until interrupted."""
    import uvicorn

    uvicorn.run(http_app(create_server(db_path), host=host, token=token), host=host, port=port, log_level="warning")
