"""Money as every face shows it: an unknown amount is "unknown", never $0.00, and a total that leaves
out unpriced resources says how many (shared by the CLI, the web and the MCP server, owned by none)."""

from __future__ import annotations


def usd(value: float | None) -> str:
    """``$1,234.50``, or ``unknown`` for an amount nobody knows."""
    return "unknown" if value is None else f"${value:,.2f}"


def usd_total(total: float | None, unpriced: int = 0) -> str:
    """A total over resources some of which have no price: ``$1,234.50 + 3 unpriced``, ``unknown (3
    unpriced)`` when none has one, ``$1,234.50`` when all have."""
    if not unpriced:
        return usd(total)
    if total is None:
        return f"unknown ({unpriced:,} unpriced)"
    return f"{usd(total)} + {unpriced:,} unpriced"
