"""The MCP face: a Model Context Protocol server that lets an assistant ask the store what the CLI asks
(`cloudblame mcp`). Tools ``blame``, ``events``, ``event``, ``who``, ``inventory``, ``forgotten``,
``catalog``, ``insights`` and ``insight`` call the same functions of ``cloudblame.queries`` as the CLI and answer in the shapes of its
``--format json``; every call reads the newest published snapshot of the store, read-only. Served over
stdio (a client spawns ``cloudblame mcp``) or streamable HTTP on loopback (``--http``; the token rule of
``cloudblame serve``: mcpserver/http.py). Named ``mcpserver``, not ``mcp``, so as not to shadow the SDK."""

from __future__ import annotations

from cloudblame.mcpserver.http import http_app, run_http
from cloudblame.mcpserver.server import create_server, run_stdio

__all__ = ["create_server", "http_app", "run_http", "run_stdio"]
