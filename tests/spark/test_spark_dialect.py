"""The DuckDB SQL the queries write, as Spark SQL (cloudblame.spark.dialect): each of our fixes to sqlglot's
output, first as text, then run on both engines over the same rows with the same answer."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa
import pytest

from cloudblame.spark.dialect import spark_args, to_spark

pytest_plugins = ["tests.spark_fixtures"]

T0 = datetime(2026, 3, 2, 10, 0, 0)
# Rows with ties, NULLs and JSON, as the store's tables have them.
ROWS = pa.table({
    "grp": ["a", "a", "a", "a", "b", "b", "c"],
    "name": ["x", None, "y", "x", "z", None, None],
    "rank": [3, 1, None, 2, 5, 4, 1],
    "seen": pa.array([T0, T0, T0.replace(hour=11), T0.replace(hour=9), T0, T0, T0], pa.timestamp("us")),
    "people": ['["Alice", "bob"]', None, "[]", '["Carol"]', '["BOB"]', None, '["dave"]'],
    "size": ['{"instance_type": "m5.large", "gb": 100}', "{}", None, '{"volume_type": "GP3"}',
             '{"instance_type": "t3.micro", "rate": 1.50}', "{}", None],
})
COLUMNS = {"items": [(f.name, str(f.type)) for f in ROWS.schema]}

# (query, parameters): DuckDB SQL over ``items`` whose answer Spark must give as DuckDB does, in order.
SAME_ANSWER = [
    ("SELECT grp, list(DISTINCT name ORDER BY name) AS names, list(rank ORDER BY rank DESC) AS ranks, "
     "list(name ORDER BY seen, name) FILTER (WHERE rank > 1) AS late FROM items GROUP BY ALL ORDER BY grp", ()),
    ("SELECT list(name ORDER BY rank) AS none_of_them FROM items WHERE false", ()),
    ("SELECT grp, first(name ORDER BY rank DESC, name) AS top, last(name ORDER BY rank, name) AS bottom FROM items "
     "GROUP BY ALL ORDER BY grp", ()),
    ("SELECT grp, name FROM items WHERE list_contains(?::VARCHAR[], lower(name)) AND seen BETWEEN ?::TIMESTAMP AND ? "
     "ORDER BY grp, name", [["x", "z"], T0, T0.replace(hour=12)]),
    ("SELECT grp, rank, '?' AS mark FROM items WHERE grp = ANY($groups::VARCHAR[]) AND rank >= $low ORDER BY rank",
     {"groups": ["a", "c"], "low": 1}),
    ("SELECT * FROM items QUALIFY row_number() OVER (PARTITION BY grp ORDER BY seen DESC, rank) = 1 ORDER BY grp", ()),
    ("SELECT * FROM items QUALIFY seen = max(seen) OVER (PARTITION BY grp) ORDER BY grp, rank", ()),
    ("SELECT grp, rank FROM items WHERE list_has_any(list_transform(coalesce(json_extract_string(people, '$[*]'), []), "
     "lambda x: lower(x)), $people::VARCHAR[]) ORDER BY grp, rank", {"people": ["bob", "dave"]}),
    ("SELECT grp, rank, json_extract_string(size, '$.*') AS values FROM items WHERE list_has_any(list_transform("
     "json_extract_string(size, '$.*'), lambda x: lower(x)), $sizes::VARCHAR[]) ORDER BY rank", {"sizes": ["gp3", "m5.large"]}),
    ("SELECT * EXCLUDE (people, size) FROM items ORDER BY rank NULLS FIRST, name, grp LIMIT $limit OFFSET $offset",
     {"limit": 4, "offset": 1}),
    ("SELECT * REPLACE (upper(name) AS name) FROM items ORDER BY seen, grp, rank", ()),
    ("SELECT * FROM (SELECT grp, name FROM items WHERE rank < 3 UNION ALL BY NAME SELECT name, grp FROM items "
     "WHERE rank >= 3) ORDER BY grp, name", ()),
    ("SELECT r.grp, r.rank FROM items r SEMI JOIN (SELECT unnest(?::VARCHAR[]) AS g, unnest(?::VARCHAR[]) AS n) k "
     "ON r.grp = k.g AND r.name = k.n ORDER BY r.rank", [["a", "b"], ["x", "z"]]),
    ("SELECT grp, count(*) FILTER (WHERE name IS NULL) AS unnamed, round(sum(rank), 2) AS total FROM items "
     "GROUP BY ALL ORDER BY total DESC NULLS LAST, grp", ()),
    # the publish's SQL (cloudblame.derive, run on Spark by cloudblame.spark.derive)
    ("SELECT grp, list(name ORDER BY rank, name)[1:2] AS first_two, list(name ORDER BY rank, name)[2:9] AS rest "
     "FROM items GROUP BY ALL ORDER BY grp", ()),
    ("SELECT grp, to_json(list({'name': name, 'rank': rank} ORDER BY rank, name))::VARCHAR AS js FROM items "
     "GROUP BY ALL ORDER BY grp", ()),
    ("SELECT rank, round(lgamma(rank + 1), 9) AS log_factorial FROM items WHERE rank IS NOT NULL ORDER BY rank, grp", ()),
    ("SELECT * FROM (SELECT grp, name, rank FROM items WHERE rank < 3 UNION ALL BY NAME SELECT grp, rank FROM items "
     "WHERE rank >= 3) ORDER BY grp, rank", ()),
    ("SELECT rank, format('{} of {}: {:.3g}|{:g}|{:.0f}|{:.4f}|{:.3g}', grp, rank, rank / 7, rank / 30000, rank + 0.5, "
     "rank / 3, rank * 1000.0) AS said FROM items WHERE rank IS NOT NULL ORDER BY rank, grp", ()),
    ("SELECT grp, rank, seen + to_minutes(rank) AS later, seen - to_hours(2) AS earlier, seen + to_days(1) AS next_day "
     "FROM items WHERE rank IS NOT NULL ORDER BY rank, grp", ()),
    ("SELECT grp, json_object('grp', grp, 'names', list(name ORDER BY name), 'low', min(rank))::VARCHAR AS js, "
     "coalesce(list_transform(list_reverse_sort(list_transform(map_entries(histogram(name)), "
     "lambda kv: {'n': kv.value, 'v': kv.key})), lambda kv: kv.v), []::VARCHAR[]) AS most_first "
     "FROM items GROUP BY grp ORDER BY grp", ()),
    ("SELECT rank, coalesce(list_bool_or(list_transform(list_value(json_transform(size, '{\"instance_type\": "
     "\"VARCHAR\", \"gb\": \"BIGINT\"}')), lambda s: s.instance_type = 'm5.large' OR s.gb > 50)), false) AS big "
     "FROM items ORDER BY rank, grp", ()),
    ("SELECT grp, rank, ('0x' || left(md5(concat_ws('|', coalesce(CAST(name AS VARCHAR), '~'), CAST(seen AS VARCHAR), "
     "coalesce(CAST(rank AS VARCHAR), '~'), CAST(rank > 2 AS VARCHAR))), 15))::BIGINT AS fingerprint FROM items "
     "ORDER BY grp, rank", ()),
    ("SELECT grp, array_length(list_filter(json_extract_string(people, '$[*]'), lambda p: p = lower(p))) AS lower_names "
     "FROM items WHERE people IS NOT NULL ORDER BY grp, lower_names", ()),
]


def test_positional_parameters_are_named_and_strings_left_alone():
    sql = to_spark("SELECT '?' AS q FROM items WHERE list_contains(?::VARCHAR[], name) AND rank = ?")
    assert "'?'" in sql and ":_p0" in sql and ":_p1" in sql and "?" not in sql.replace("'?'", "")
    assert spark_args(["a", 1]) == {"_p0": "a", "_p1": 1} and spark_args({"x": 1}) == {"x": 1}


def test_an_ordered_list_keeps_its_order():
    sql = to_spark("SELECT list(DISTINCT name ORDER BY name) FROM items")
    assert "ARRAY_SORT(COLLECT_LIST(STRUCT(" in sql and "ARRAY_DISTINCT(" in sql  # sqlglot alone: COLLECT_LIST(name)


def test_stars_are_expanded_only_with_the_columns():
    assert "EXCEPT" in to_spark("SELECT * EXCLUDE (size) FROM items")  # nothing known: as sqlglot writes it
    expanded = to_spark("SELECT * EXCLUDE (size) FROM items", COLUMNS)
    assert "EXCEPT" not in expanded and "people" in expanded and "size" not in expanded
    qualified = to_spark("SELECT * FROM items QUALIFY seen = max(seen) OVER (PARTITION BY grp)", COLUMNS)
    assert "QUALIFY" not in qualified and qualified.startswith("SELECT grp, name, rank, seen, people, size FROM")


def test_json_wildcards_read_the_values():
    assert "FROM_JSON(people, 'array<string>')" in to_spark("SELECT json_extract_string(people, '$[*]') FROM items")
    assert "MAP_VALUES(FROM_JSON(size" in to_spark("SELECT json_extract_string(size, '$.*') FROM items")


@pytest.fixture(scope="module")
def both(spark):
    """The rows as ``items`` in DuckDB and in a Spark session of its own (times without zone)."""
    conn = duckdb.connect()
    conn.register("items", ROWS)
    own = spark.newSession()
    own.conf.set("spark.sql.timestampType", "TIMESTAMP_NTZ")
    own.createDataFrame(ROWS).createOrReplaceTempView("items")
    yield conn, own
    conn.close()


@pytest.mark.parametrize(("sql", "params"), SAME_ANSWER, ids=range(len(SAME_ANSWER)))
def test_spark_answers_as_duckdb(both, sql, params):
    conn, own = both
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    expected = [dict(zip(names, row)) for row in cur.fetchall()]
    got = own.sql(to_spark(sql, COLUMNS), args=spark_args(params) or None).toArrow().to_pylist()
    assert got == expected
