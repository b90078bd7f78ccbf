"""`athena-ddl`: the statements that make a store copied to S3 queryable from Athena or Trino (docs/athena.md).
It reads no store and creates none: the statements come from the table declarations alone."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from cloudblame.cli.examples import epilog
from cloudblame.cli.output import say
from cloudblame.store.athena import DEFAULT_CATALOG, DEFAULT_DATABASE, store_ddl


class SqlDialect(enum.StrEnum):
    athena = "athena"
    trino = "trino"


def athena_ddl(
    location: str = typer.Option(..., "--location", help="Where the store directory is copied: s3://BUCKET/PREFIX "
                                 "(s3a:// too; the tables are its folders)."),
    database: str = typer.Option(DEFAULT_DATABASE, "--database", help="The Athena database (Trino schema) to create."),
    dialect: SqlDialect = typer.Option(SqlDialect.athena, "--dialect", case_sensitive=False,
                                       help="athena: engine version 3 (Glue catalog); trino: the Delta Lake connector."),
    catalog: str = typer.Option(DEFAULT_CATALOG, "--catalog", help="Trino: the Delta Lake connector's catalog."),
    out: Path | None = typer.Option(None, "--out", help="Write the statements to this file instead of stdout."),
) -> None:
    """Print the DDL that registers the store's Delta tables (and the events view) in Athena or Trino, so
    the same questions read the same names as `cloudblame sql`. Needs no store: see docs/athena.md."""
    text = store_ddl(location, database=database, dialect=dialect.value, catalog=catalog)
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text)
    say(f"wrote the {dialect.value} DDL to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command("athena-ddl", epilog=epilog("athena-ddl"))(athena_ddl)
