"""`cloudblame --engine spark ...`: the query commands print what the embedded engine prints (one run in a
process of its own, starting its own local Spark; the others on the tests' session); the commands that write or
serve the store refuse, before anything is read; without pyspark or Java the line says what to install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cloudblame.cli import app
from cloudblame.spark.session import NEEDS, SparkMissing, spark_session
from tests.spark_fixtures import sample_store

pytest_plugins = ["tests.spark_fixtures"]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return sample_store(tmp_path_factory.mktemp("spark-cli"), 800)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def deleted_one(db: Path) -> str:
    """A resource the demo created and deleted (its blame has a creation, a deletion and a timeline)."""
    found = json.loads(run("sql", "--db", str(db), "-f", "json", "SELECT resource_id FROM resources WHERE "
                           "deleted_event_id IS NOT NULL ORDER BY events DESC, resource_id LIMIT 1"))
    return str(found[0]["resource_id"])


def test_blame_in_a_process_of_its_own(db):
    """`--engine spark` from the shell: it starts a local Spark, and prints the embedded engine's JSON."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (the optional extra `spark`)")
    resource = deleted_one(db)
    expected = run("blame", "--db", str(db), resource, "--format", "json")
    env = {**os.environ, "CLOUDBLAME_ENGINE": "spark", "SPARK_LOCAL_IP": "127.0.0.1"}
    done = subprocess.run([sys.executable, "-m", "cloudblame", "blame", "--db", str(db), resource, "--format", "json"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == json.loads(expected) and done.stdout == expected


@pytest.mark.parametrize("command", [["events", "-n", "20", "--sort", "user"], ["inventory", "--by", "owner"],
                                     ["insights", "-n", "20"]])
def test_query_commands_print_the_same(db, spark, command):
    options = ["--db", str(db), "--format", "json"]
    assert run("--engine", "spark", *command, *options) == run(*command, *options)


@pytest.mark.parametrize(("command", "says"), [
    (["ingest", "nowhere"], "cloudblame spark ingest"), (["compact"], "cloudblame spark ingest"),
    (["serve"], "embedded engine"),
])
def test_commands_that_write_or_serve_refuse(db, command, says):
    result = CliRunner().invoke(app, ["--engine", "spark", *command, "--db", str(db)])
    assert result.exit_code == 2 and says in result.output


def test_sql_of_ones_own_stays_embedded(db, spark):
    result = CliRunner().invoke(app, ["--engine", "spark", "sql", "--db", str(db), "SELECT 1"])
    assert result.exit_code == 2 and "embedded engine" in result.output


def test_without_pyspark_the_line_says_what_to_install(db, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # import pyspark.sql: ImportError
    result = CliRunner().invoke(app, ["--engine", "spark", "blame", "--db", str(db), "anything"])
    assert result.exit_code == 2 and NEEDS in result.output and "pip install 'cloudblame[spark]'" in result.output


def test_without_java_the_line_says_so(monkeypatch):
    pyspark_sql = pytest.importorskip("pyspark.sql", reason="pyspark is not installed (the optional extra `spark`)")
    monkeypatch.setattr(pyspark_sql.SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(SparkMissing, match="Java 17"):
        spark_session()


def test_the_cli_starts_without_loading_spark():
    code = ("import sys, cloudblame.cli.app, cloudblame.spark; "
            "assert not any(m.startswith(('pyspark', 'py4j')) for m in sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
