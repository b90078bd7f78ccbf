"""What the insights finders (cloudblame.derive.insight_*) share: how an insight is named and whose calls it is."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cloudblame.core.errors import BadInput

# The human behind the call of events row ``e`` (with ``LEFT JOIN session_actors sa`` on its session), as
# blame resolves it.
HUMAN_OF_EVENT = "coalesce(sa.human, e.actor)"
SESSION_JOIN = "LEFT JOIN session_actors sa ON sa.access_key_id = e.access_key_id AND sa.principal = e.principal"


def insight_id_sql(*parts: str) -> str:
    """SQL: an insight's id (16 hex digits) from the SQL expressions that name it (kind, account, the API or
    person, its start...), the same whenever it is derived again from the same events."""
    return "left(md5(concat_ws('|', " + ", ".join(parts) + ")), 16)"


THRESHOLDS_FILE = "insights.toml"  # in the store's directory: a table per finder ([rates], [costs])


def thresholds_table(root: Path, name: str, known: Iterable[str]) -> dict[str, Any]:
    """The ``[name]`` table of the store's ``insights.toml`` (empty without the file); BadInput when the file
    cannot be read or the table holds a key not in ``known``."""
    path = root / THRESHOLDS_FILE
    if not path.is_file():
        return {}
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise BadInput(f"{path}: cannot be read: {err}") from err
    table = config.get(name, {})
    allowed = set(known)
    if not isinstance(table, dict) or set(table) - allowed:
        raise BadInput(f"{path}: [{name}] takes only {', '.join(sorted(allowed))}")
    return table
