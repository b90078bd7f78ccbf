"""Which host names are this machine: the rule both servers (web and MCP) apply without a token, and the
CLI applies before binding."""

from __future__ import annotations

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(host: str) -> bool:
    return host.strip("[]") in LOOPBACK_HOSTS or host.startswith("127.")


def host_name(header: str | None) -> str:
    """``example.com`` of a Host header ``example.com:8321``, ``::1`` of ``[::1]:8321``."""
    header = (header or "").strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header
