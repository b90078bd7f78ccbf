"""Errors by kind, shared by the library (queries, store) and its two faces (CLI, web).

``UserError`` and its kinds are the user's doing, with a message meant for them: the CLI exits 2 and
the web answers 4xx. ``StoreError`` is a store that cannot be used: the user's doing too (no store at
the path given, one too new...) unless ``user`` is false (busy). Anything else that escapes is a fault:
exit 1 / HTTP 500, its details in the log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class UserError(Exception):
    """The user's doing (bad input, nothing found, several found): the message says what to change."""


class BadInput(UserError, ValueError):
    """A value the user gave cannot be used (a ValueError too, for older callers)."""


class NotFound(UserError, LookupError):
    """Nothing in the store matches (the message says what was looked for)."""


class Ambiguous(UserError, LookupError):
    """Several things match; ``candidates`` lists them so the user can pick one (resources: type, id,
    account, events; events: id, time, event_name)."""

    def __init__(self, message: str, candidates: Sequence[Mapping[str, object]]):
        super().__init__(message)
        self.candidates = candidates


class StoreError(Exception):
    """A store that cannot be used, with a message meant for the user (it may name the path they gave);
    ``reason`` says why in general terms, with no path (what a server shows); ``user``: the user's doing
    (no store there, not a store, written by a newer cloudblame), not a passing state (busy)."""

    def __init__(self, message: str, *, reason: str = "the store cannot be read", user: bool = True):
        super().__init__(message)
        self.reason = reason
        self.user = user


def one_line(exc: BaseException) -> str:
    """``exc`` in one line: its type and the first line of its message."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
