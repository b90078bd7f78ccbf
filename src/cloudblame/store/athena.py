"""The store's tables as Athena (engine version 3) and Trino see them: the DDL that registers a store
directory copied to S3 (docs/athena.md). Pure: text from the table declarations (store/tables.py), no I/O.

Both engines read Delta Lake natively, the columns from each table's ``_delta_log``: Athena through
``CREATE EXTERNAL TABLE ... TBLPROPERTIES ('table_type' = 'DELTA')`` (nothing else is allowed beside the
location), Trino's Delta Lake connector through its ``register_table`` procedure. Names match what
``cloudblame sql`` reads: the ``events`` table is registered as ``event_rows`` and ``events`` is the view
the embedded store defines (store/db.py: the calls with their session's human and console tool joined in),
written here once in DuckDB's SQL and transpiled with sqlglot, so the same question reads the same names
in every engine.
"""

from __future__ import annotations

import re
from typing import Literal

import sqlglot
from sqlglot import exp

from cloudblame.core.errors import BadInput
from cloudblame.store.tables import EVENTS, TABLES, console_join, session_tool

Dialect = Literal["athena", "trino"]
DIALECTS: tuple[Dialect, ...] = ("athena", "trino")
DEFAULT_DATABASE = "cloudblame"
DEFAULT_CATALOG = "delta"  # Trino: the catalog of the Delta Lake connector
EVENT_ROWS = "event_rows"  # the events table as SQL names it (store/db.py: ``events`` is the resolved view)
VIEWS = ("events",)

_SCHEMES = ("s3://", "s3a://")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,254}")  # Glue's and Trino's lower-case names
_UNSAFE = re.compile(r"['\\\s]")  # characters a location may not hold inside a SQL string literal


def sql_name(table: str) -> str:
    """The name a table of the store has in SQL: its folder's name, except ``events`` (``event_rows``)."""
    return EVENT_ROWS if table == EVENTS.name else table


def store_location(location: str) -> str:
    """``location`` (the store directory's copy: ``s3://bucket/prefix``) checked, without a trailing slash;
    BadInput says what is wrong with it."""
    text = location.strip()
    scheme = next((s for s in _SCHEMES if text.lower().startswith(s)), None)
    if scheme is None:
        raise BadInput(f"--location must be an s3:// (or s3a://) URI of the store directory's copy, not {location!r}")
    path = text[len(scheme):].rstrip("/")
    if not path or path.startswith("/"):
        raise BadInput(f"--location names no bucket: {location!r} (give s3://BUCKET/PREFIX)")
    if _UNSAFE.search(path):
        raise BadInput(f"--location may not hold quotes, backslashes or spaces: {location!r}")
    return scheme.lower() + path


def identifier(name: str, option: str) -> str:
    """``name`` as a database (schema) or catalog name both engines take; BadInput otherwise."""
    if not _IDENTIFIER.fullmatch(name):
        raise BadInput(f"{option} must be lower-case letters, digits and underscores (not starting with a digit): "
                       f"{name!r}")
    return name


def table_location(root: str, table: str, dialect: Dialect) -> str:
    """Where ``table``'s folder is under the store at ``root``: a folder URI for Athena (s3:// only: an s3a://
    root is written as the same s3:// path), the folder as Trino's procedure documents it (no final slash)."""
    if dialect == "athena":
        return f"s3://{root.split('://', 1)[1]}/{table}/"
    return f"{root}/{table}"


def events_view_select() -> str:
    """The ``events`` view of the embedded store (store/db.py RESOLVED over ``event_rows``) in DuckDB's SQL,
    written portably: every column of the events table named (``* REPLACE`` is DuckDB's), the tool of a
    console session's AWS-internal calls replaced as there."""
    tool = session_tool("e", "cs")
    columns = [f"{tool} AS tool" if name == "tool" else f"e.{name}" for name in EVENTS.delta_schema.names]
    return (f"SELECT {', '.join(columns)}, sa.human AS resolved_human, sa.kind AS resolved_kind, "
            "sa.confidence AS resolved_confidence, sa.chain AS resolved_chain "
            f"FROM {EVENT_ROWS} e LEFT JOIN session_actors sa ON sa.access_key_id = e.access_key_id "
            f"AND sa.principal = e.principal {console_join('e', 'cs')}")


def transpile(sql: str, dialect: Dialect, *, database: str | None = None, catalog: str | None = None) -> str:
    """``sql`` (one DuckDB statement) in ``dialect``, its tables qualified with ``database`` (and ``catalog``)
    when given."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    if database:
        tree = tree.transform(lambda node: _qualified(node, database, catalog))
    return tree.sql(dialect=dialect, pretty=True)


def _qualified(node: exp.Expression, database: str, catalog: str | None) -> exp.Expression:
    if isinstance(node, exp.Table) and not node.args.get("db"):
        node = node.copy()
        node.set("db", exp.to_identifier(database))
        if catalog:
            node.set("catalog", exp.to_identifier(catalog))
    return node


def events_view(dialect: Dialect, database: str, catalog: str | None = None) -> str:
    """``CREATE OR REPLACE VIEW`` of ``events`` in ``dialect``, over the tables of ``database``."""
    name = ".".join(n for n in (catalog, database, "events") if n)
    return f"CREATE OR REPLACE VIEW {name} AS {transpile(events_view_select(), dialect, database=database, catalog=catalog)}"


def athena_statements(root: str, database: str) -> list[str]:
    """Athena: the database, a Delta table per table of the store (its schema read from its log), the view."""
    tables = [f"CREATE EXTERNAL TABLE `{database}`.`{sql_name(name)}`\n"
              f"LOCATION '{table_location(root, name, 'athena')}'\n"
              "TBLPROPERTIES ('table_type' = 'DELTA')" for name in TABLES]
    return [f"CREATE DATABASE IF NOT EXISTS `{database}`", *tables, events_view("athena", database)]


def trino_statements(root: str, database: str, catalog: str) -> list[str]:
    """Trino (the Delta Lake connector, with ``delta.register-table-procedure.enabled=true``): the schema,
    each table registered at its folder, the view."""
    tables = [f"CALL {catalog}.system.register_table(schema_name => '{database}', table_name => '{sql_name(name)}', "
              f"table_location => '{table_location(root, name, 'trino')}')" for name in TABLES]
    return [f"CREATE SCHEMA IF NOT EXISTS {catalog}.{database}", *tables, events_view("trino", database, catalog)]


def store_ddl(location: str, *, database: str = DEFAULT_DATABASE, dialect: str = "athena",
              catalog: str = DEFAULT_CATALOG) -> str:
    """The statements that make the store copied to ``location`` queryable from ``dialect`` (athena or
    trino), one per paragraph, each ending in ``;``. BadInput for a location, name or dialect it cannot take."""
    root = store_location(location)
    database = identifier(database, "--database")
    if dialect == "athena":
        statements = athena_statements(root, database)
    elif dialect == "trino":
        statements = trino_statements(root, database, identifier(catalog, "--catalog"))
    else:
        raise BadInput(f"--dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    return "".join(f"{s};\n\n" for s in statements).rstrip("\n") + "\n"
