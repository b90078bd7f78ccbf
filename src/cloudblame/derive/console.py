"""Console sessions: the sessions (access key and principal) a person signed in to the console with.

A call that names its session a console sign-in's (``sessionCredentialFromConsole``), or whose agent is a
browser or a console, is a console call (normalize.useragent). Many more calls of the same session come
from AWS-internal agents - another service's console, ``AWS Internal`` - without the flag: they are the
person's console work too. A publish adds the sessions of the new console calls to ``console_sessions``;
readers (store.db's ``events``), resource lifecycles and activity then read the tool of every call of such
a session through it (store.tables.session_tool), earlier calls and later ones alike. The sessions that
became console sessions are returned, so what their calls touched is derived again.
"""

from __future__ import annotations

import pyarrow as pa

from cloudblame.derive.work import Work
from cloudblame.store.tables import CONSOLE_SESSIONS

KEYS = ("access_key_id", "principal")

# The console sessions of {rows} (new_events, or every event), with the span of their console calls.
CONSOLE_CALLS_SQL = """
SELECT access_key_id, principal, min(event_time) AS first_time, max(event_time) AS last_time FROM {rows}
WHERE tool = 'console' AND access_key_id IS NOT NULL AND principal IS NOT NULL GROUP BY ALL"""
# Those folded into what console_sessions holds of them.
FOLDED_SQL = """
SELECT access_key_id, principal, min(first_time) AS first_time, max(last_time) AS last_time FROM (
    SELECT * FROM {fresh} UNION ALL BY NAME
    SELECT c.* FROM console_sessions c SEMI JOIN {fresh} f USING (access_key_id, principal))
GROUP BY ALL"""


def update_console_sessions(work: Work, *, everything: bool = False) -> pa.Table:
    """Add the sessions of the new console calls (with ``everything``, of all calls); returns the
    (access_key_id, principal) of the sessions that were not console sessions before."""
    store = work.store
    with store.temp_table(CONSOLE_CALLS_SQL.format(rows="event_rows" if everything else "new_events")) as fresh:
        added = store.arrow(f"SELECT f.access_key_id, f.principal FROM {fresh} f "
                            f"ANTI JOIN console_sessions c USING (access_key_id, principal)")
        if store.scalar(f"SELECT count(*) FROM {fresh}"):
            with store.temp_table(FOLDED_SQL.format(fresh=fresh)) as rows:
                work.upsert(CONSOLE_SESSIONS, rows, KEYS)
    return added
