"""Questions asked of the store. Each returns plain data: the JSON shapes of the CLI, web and MCP server,
declared once in ``core.contracts``; bad input, nothing found and several found are raised as the
kinds of ``UserError`` (cloudblame.core.errors)."""

from __future__ import annotations

from collections.abc import Sequence

from cloudblame.core.errors import Ambiguous, BadInput, NotFound, UserError

__all__ = ["Ambiguous", "BadInput", "NotFound", "UserError", "Values", "values_of"]

# A filter's value: one, or several (any of them matches); None (or empty) when not filtered on.
Values = str | Sequence[str] | None


def values_of(value: Values) -> list[str]:
    """A filter's values as a list (empty: not filtered on)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [v for v in value if v]
