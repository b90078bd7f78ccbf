"""`spark ingest`: `cloudblame ingest` of trail files and S3 buckets on a Spark cluster's executors
(cloudblame.spark.ingest), run by `spark-submit` or here on a local Spark."""

from __future__ import annotations

import typer

from cloudblame.cli.common import DbOption, check_local_paths
from cloudblame.cli.examples import epilog
from cloudblame.cli.live import report_summaries
from cloudblame.cli.output import Format
from cloudblame.core.timeutil import parse_when
from cloudblame.pipeline.sync import SourceSpec
from cloudblame.spark.ingest import DeriveOn
from cloudblame.store import default_db_path

spark_app = typer.Typer(help="Run cloudblame on Apache Spark (the optional extra `spark`: pyspark, Java 17+).",
                        no_args_is_help=True)


@spark_app.command("ingest", epilog=epilog("spark ingest"))
def spark_ingest(
    sources: list[str] = typer.Argument(..., help="Files, folders (walked recursively), globs, or s3://BUCKET[/PREFIX]."),
    db: str | None = DbOption,
    account: list[str] = typer.Option([], "--account", help="Only these accounts (trail key layout). Repeatable."),
    region: list[str] = typer.Option([], "--region", help="Only these CloudTrail regions. Repeatable."),
    since: str | None = typer.Option(None, "--since", help="7d, 12h or an ISO date: prunes delivery days by key."),
    until: str | None = typer.Option(None, "--until", help="Same forms as --since."),
    profile: str | None = typer.Option(None, "--profile", help="AWS profile (else the standard credential chain)."),
    aws_region: str | None = typer.Option(None, "--aws-region", help="Region of the AWS clients (the bucket's region)."),
    endpoint_url: str | None = typer.Option(None, "--endpoint-url", help="S3-compatible store or test endpoint."),
    workers: int = typer.Option(8, "--workers", min=1, help="Parallel S3 downloads per executor task."),
    force: bool = typer.Option(False, "--force", help="Re-read files and objects already ingested unchanged."),
    master: str | None = typer.Option(None, "--master", help="Spark master [default: the active session, else "
                                      "local[*]]."),
    derive: DeriveOn = typer.Option(DeriveOn.auto, "--derive", help="Where the derived tables are computed: spark, embedded "
                               "(DuckDB in the driver), or auto: embedded on a local master, else spark."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Summary format."),
) -> None:
    """Ingest CloudTrail records on Spark: the driver lists the files and objects the store lacks (pruned as
    `ingest` prunes a bucket), the executors read, normalize and write them into the store, the driver commits
    and publishes. The store is a directory every executor reaches at the same path (local mode: any path).
    The summary is `ingest`'s; exit 1 when nothing could be read or problems were found."""
    for bound in (since, until):  # read now: a bad one is the user's error
        if bound:
            parse_when(bound)
    check_local_paths([s for s in sources if not s.startswith("s3://")])
    from cloudblame.spark import ingest
    from cloudblame.spark.session import spark_session

    summary = ingest(spark_session(master), sources, db=db or default_db_path(), accounts=account, regions=region,
                     since=since, until=until, force=force, profile=profile, aws_region=aws_region,
                     endpoint_url=endpoint_url, workers=workers, derive=derive.value)
    label = SourceSpec("spark", url=sources[0], paths=sources[1:])
    report_summaries([(label, summary)], fmt)
    if summary.nothing_readable or summary.found_problems:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(spark_app, name="spark")

