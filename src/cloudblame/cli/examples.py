"""Examples in every command's help, and the first steps `cloudblame` alone shows.

The examples use people, ids and names of the demo store (``cloudblame demo``), so each one answers
there as written; those that need AWS say so. tests/integration/test_readme_examples.py runs them."""

from __future__ import annotations

# Examples that cannot answer on the demo store say why, first thing in their note (the tests skip them).
NEEDS_AWS = "(needs AWS)"
SERVER = "(a server)"
EARLIER_STORE = "(needs an earlier store)"

EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "ingest": [
        ("cloudblame ingest ./demo-trail", "folders (recursive), files or globs"),
        ("cloudblame ingest 'demo-trail/**/*.json.gz' --force", "read again what was read"),
        ("cloudblame ingest s3://org-trail-bucket --since 30d", NEEDS_AWS),
        ("cloudblame ingest --lookup --region us-east-1", f"{NEEDS_AWS} the 90-day Event History"),
    ],
    "spark ingest": [
        ("cloudblame spark ingest s3://org-trail-bucket --db /mnt/shared/store", f"{NEEDS_AWS} on Spark"),
        ("cloudblame spark ingest s3://org-trail --since 30d --master local[4]", f"{NEEDS_AWS} local Spark"),
    ],
    "blame": [
        ("cloudblame blame i-186a74a63a8c7d9e0", "an id"),
        ("cloudblame blame churn-model-nb", "a name (bucket, role, function, notebook...)"),
        ("cloudblame blame sandbox-eks --format json", "the stable JSON shape"),
    ],
    "events": [
        ("cloudblame events --username alice --write-only --since 7d",
         "her changes of the last 7 days (before the newest event, in an archive)"),
        ("cloudblame events --resource-name i-186a74a63a8c7d9e0", "one resource's events"),
        ("cloudblame events --error --sort time_asc", "failed calls, oldest first"),
        ("cloudblame events --tool terraform --region us-east-1 --format csv", ""),
    ],
    "event": [
        ("cloudblame event 75d8d8a4", "a unique prefix of 4+ characters"),
        ("cloudblame event 75d8d8a4 --format json", "with its raw record"),
    ],
    "who": [
        ("cloudblame who tom.becker@example.com", "a person"),
        ("cloudblame who AKIAYEPBVYS4KWTSO26P", "an access key"),
        ("cloudblame who alice --limit 5", "an IAM user"),
    ],
    "inventory": [
        ("cloudblame inventory --by owner", "what each person runs and what it costs"),
        ("cloudblame inventory --owner bob", ""),
        ("cloudblame inventory --type AWS::EC2::Instance --limit 0", "all of them"),
        ("cloudblame inventory --live --profile prod", f"{NEEDS_AWS} as AWS describes them now: gone ones left out"),
    ],
    "forgotten": [
        ("cloudblame forgotten", "idle for 30 days"),
        ("cloudblame forgotten --idle 14d --format csv", ""),
    ],
    "catalog": [
        ("cloudblame catalog --event-source ec2 --action create", ""),
        ("cloudblame catalog --inferred", "creation events no rule covers yet"),
    ],
    "demo": [
        ("cloudblame demo", "./demo-trail and ./cloudblame-store"),
        ("cloudblame demo --records 2000 --out small-trail --db small-store", "a smaller one elsewhere"),
    ],
    "sync": [
        ("cloudblame sync --config cloudblame.toml --quiet", f"{NEEDS_AWS} the config's s3 and lookup sources"),
        ("cloudblame sync -c /etc/cloudblame.toml --db /var/lib/cloudblame-store", f"{NEEDS_AWS} from cron"),
    ],
    "verify": [
        ("cloudblame verify s3://org-trail-bucket", NEEDS_AWS),
        ("cloudblame verify ./bucket-copy --public-keys keys.json", f"{NEEDS_AWS} a bucket's copy and its public keys"),
    ],
    "serve": [
        ("cloudblame serve", f"{SERVER} http://127.0.0.1:8321/ on ./cloudblame-store"),
        ('cloudblame serve --host 0.0.0.0 --token "$(openssl rand -hex 16)"', f"{SERVER} beyond localhost: a token"),
    ],
    "sql": [
        ('cloudblame sql "SELECT tool, count(*) AS n FROM events GROUP BY ALL"', "calls per tool"),
        ('cloudblame sql "SELECT owner, sum(usd_per_month) FROM inventory GROUP BY 1"', "cost per owner"),
    ],
    "athena-ddl": [
        ("cloudblame athena-ddl --location s3://acme-lake/store", "Athena: run each statement there"),
        ("cloudblame athena-ddl --location s3://acme-lake/store --dialect trino", "Trino's Delta connector"),
    ],
    "compact": [
        ("cloudblame compact", ""),
        ("cloudblame compact --retain 400d", "drop old reads and failures"),
    ],
    "vacuum": [("cloudblame vacuum", ""), ("cloudblame vacuum --older-than 1d", "")],
    "migrate": [("cloudblame migrate cloudblame.duckdb", EARLIER_STORE),
                ("cloudblame migrate old/cloudblame.duckdb --to ./migrated-store", EARLIER_STORE)],
    "mcp": [("cloudblame mcp", f"{SERVER} on stdio, for an assistant that starts it"),
            ("cloudblame mcp --http --port 8322", f"{SERVER} streamable HTTP at http://127.0.0.1:8322/mcp")],
    "problems": [("cloudblame problems", ""), ("cloudblame problems --format json", "")],
    "prices refresh": [("cloudblame prices refresh --region us-east-1", NEEDS_AWS),
                       ("cloudblame prices refresh --profile pricing --out prices.csv.gz", NEEDS_AWS)],
    "tag": [
        ("cloudblame tag", f"{NEEDS_AWS} the plan: what would be tagged, what is skipped and why"),
        ("cloudblame tag --apply --owner maria.lopez@example.com", f"{NEEDS_AWS} write the tags"),
        ("cloudblame tag --apply --via --keys by=Owner,at=", f"{NEEDS_AWS} Owner instead of CreatedBy, no CreatedAt"),
    ],
    "cleanup plan": [
        ("cloudblame cleanup plan --idle 14d", "what is forgotten and what would be done"),
        ("cloudblame cleanup plan --owner bob --out plan.json", "a plan for apply"),
    ],
    "cleanup apply": [
        ("cloudblame cleanup apply plan.json", f"{NEEDS_AWS} asks before acting"),
        ("cloudblame cleanup apply plan.json --yes --format json", f"{NEEDS_AWS} from a script"),
    ],
    "report": [
        ("cloudblame report --owner tom.becker@example.com", "Markdown on stdout"),
        ("cloudblame report --all --format html --out reports", "one page per owner, with charts"),
        ("cloudblame report --owner bob --format json", ""),
    ],
    "notify": [
        ("cloudblame notify --all --to json://hooks.example/cb --dry-run", "what each owner would get"),
        ("cloudblame notify --all --digest --to json://hooks.example/cb --dry-run", "one digest"),
        ("cloudblame notify --owner bob --to mailto://mail.example --dry-run -f json",
         "bob: no address"),
    ],
    "insights": [
        ("cloudblame insights --since 7d", "the last 7 days (before the newest event, in an archive)"),
        ("cloudblame insights --kind api-call-rate --kind api-error-rate", "bursts of calls and of errors"),
        ("cloudblame insights --since 1d --fail-on high --format json", "in CI: exit 1 on a high one"),
    ],
    "insight": [
        ("cloudblame insight c14c3a7a", "a unique prefix of 6+ characters: the burst of RunInstances"),
        ("cloudblame insight a6d1fd --format json", "the storm of AccessDenied: its series and events"),
    ],
    "costs import": [
        ("cloudblame costs import ./cur2-export", f"{NEEDS_AWS} an export of one's own: CUR 2.0 Parquet, CUR CSV, FOCUS"),
        ("cloudblame costs import s3://billing-bucket/exports/cur2 --format json", f"{NEEDS_AWS} from the bucket"),
    ],
    "costs show": [
        ("cloudblame costs show", "the latest period: actual beside estimate, and what is unattributed"),
        ("cloudblame costs show --by owner --period 2026-03", f"{NEEDS_AWS} a bill imported for that month"),
    ],
    "doctor": [
        ("cloudblame doctor --store-only", "the store's days and regions only: no AWS call"),
        ("cloudblame doctor --fail-on error --format json", f"{NEEDS_AWS} the trail set-up too; in CI"),
        ("cloudblame doctor --profile audit --retention 365d", f"{NEEDS_AWS} files kept a year"),
    ],
    "setup-trail": [
        ("cloudblame setup-trail --bucket acme-cloudtrail --terraform", "the set-up as Terraform"),
        ("cloudblame setup-trail --bucket acme-cloudtrail", f"{NEEDS_AWS} a dry run: the calls"),
        ("cloudblame setup-trail --bucket acme-cloudtrail --org --apply", f"{NEEDS_AWS} make them"),
    ],
    "prices show": [
        ("cloudblame prices show AWS::EC2::Instance --size instance_type=m5.large", ""),
        ("cloudblame prices show AWS::EC2::NatGateway --region eu-west-1", ""),
    ],
}

FIRST_STEPS = ("\b\nFirst steps:\n"
               "  cloudblame demo                 a sample account's trail and store to try it on\n"
               "  cloudblame ingest ./trail-copy  your own trail files (or s3://BUCKET, --lookup);\n"
               "                                  then: cloudblame blame ID, cloudblame events ...")


def epilog(command: str) -> str:
    """The examples of ``command`` as a help epilog (``\\b``: printed as written, not re-wrapped)."""
    lines = []
    for line, note in EXAMPLES[command]:
        lines += ([f"  # {note}"] if note else []) + [f"  {line}"]
    return "\b\nExamples:\n" + "\n".join(lines)
