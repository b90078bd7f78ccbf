"""The library's SQL (written for DuckDB, defined once in the queries) as Spark SQL: sqlglot's transpiler
(read ``duckdb``, write ``spark``) and our own transforms where it gets the meaning wrong.

What sqlglot alone gets wrong, and what is done about it here:

- ``?`` followed by a cast (``?::VARCHAR[]``) does not parse: every ``?`` becomes the named parameter
  ``$_p<i>`` (i: its position) before parsing, and Spark gets ``:_p<i>`` (``spark_args`` names the values).
- ``list(x ORDER BY k)`` becomes ``collect_list(x)``, which loses the order (and ``DISTINCT``'s sort):
  written as the values of ``collect_list(struct(k..., x))`` sorted by a comparator with DuckDB's order
  (ASC or DESC, NULLs last), NULL over no rows as DuckDB's ``list`` is; ``first(x ORDER BY k)`` (``last``):
  its first (last) value.
- ``json_extract_string(x, '$[*]')`` and ``'$.*'`` lose their wildcard: written as ``from_json`` of an
  array or a map (its values) of strings.
- ``list_has_any(a, b)`` becomes ``a && b``, which Spark does not have: ``arrays_overlap(a, b)``.
- ``lgamma`` (the rate insights' Poisson tail): Spark has none; Stirling's series for ln Gamma(x + 6), shifted
  back by ln(x (x+1) ... (x+5)): within 1e-10 of it for x >= 1.
- ``('0x' || hex)::BIGINT`` (DuckDB reads hex digits so; the inventory's fingerprint): ``conv(hex, 16, 10)``.
- ``format('{} ... {:.3g}', ...)`` (fmt's placeholders) becomes ``format_string`` with them as written, which
  Java reads as literal text: written as the concatenation of its text and each value formatted as fmt does
  (``{}``: the value as text; ``{:.Nf}``: Java's ``%.Nf`` (``{:.0f}``: of the value rounded half-even, as C does);
  ``{:.Ng}``, ``{:g}``: Java's ``%g`` without the trailing zeros C's leaves out).
- ``to_minutes(n)`` (``to_hours``, ``to_days``, ``to_seconds``) is no Spark function: ``make_dt_interval``.
- ``json_object(k, v, ...)``: ``to_json(named_struct(k, v, ...))``; ``histogram(x)`` (a map of each value to its
  count, NULLs left out) has no Spark twin: written from ``collect_list(x)``.
- ``json_transform(j, '<DuckDB's structure>')``: ``from_json(j, '<the same as a Spark type>')``;
  ``list_bool_or(l)``: ``exists(l, x -> x)`` (false, not NULL, over no items: the SQL coalesces it).
- ``to_json`` leaves out a struct's NULL fields on Spark: asked to keep them, as DuckDB does.
- A list's slice ``x[a:b]`` (1-based, both ends in) is kept as written: ``slice(x, a, b - a + 1)``.
- Two ``unnest`` in one select list (DuckDB unnests them side by side): one ``inline(arrays_zip(...))``.
- ``* EXCLUDE`` (``* EXCEPT``: newer Spark only), ``* REPLACE`` (kept as is), ``QUALIFY`` (sqlglot's subquery
  returns its window column with a star, and its outer filter names the inner table) and ``UNION ALL BY NAME``
  (kept as is) need the columns: given ``columns`` (table -> its columns), the stars of such a query are
  expanded (sqlglot's qualify), QUALIFY becomes a subquery filtered on its outputs' names and a union by name
  is put in the left side's order. (Spark's own QUALIFY, new in 4.2, is left unused: the extra allows 4.1.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

__all__ = ["Columns", "spark_args", "to_spark"]

# Table (or view) name -> its columns as (name, type in Spark's words).
Columns = Mapping[str, Sequence[tuple[str, str]]]
_PARAM = "_p"  # the name a positional parameter is given, with its position


class _DuckDB(DuckDB):
    """DuckDB as sqlglot reads it, but JSON paths with a wildcard kept as written (sqlglot drops ``.*``)."""

    def to_json_path(self, path: exp.Expr | None) -> exp.Expr | None:
        if isinstance(path, exp.Literal) and "*" in path.name:
            return path
        return super().to_json_path(path)


_READ = _DuckDB()


def spark_args(params: Sequence[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a query as Spark's named arguments (positional ones as ``_p<i>``, as ``to_spark``
    names them)."""
    if isinstance(params, Mapping):
        return dict(params)
    return {f"{_PARAM}{i}": value for i, value in enumerate(params)}


def to_spark(sql: str, columns: Columns | None = None) -> str:
    """``sql`` (DuckDB, the library's own) as Spark SQL; ``columns``: the tables' columns, for the queries
    whose stars must be expanded. One statement."""
    tree = sqlglot.parse_one(_named_placeholders(sql), dialect=_READ)
    if columns is not None and _needs_columns(tree):
        tree = _expanded(tree, columns)
    for transform in (_ordered_lists, _json_wildcards, _arrays_overlap, _side_by_side_unnest, _lgamma, _hex_numbers,
                      _list_slices, _json_objects, _json_with_nulls,
                      _formats, _intervals, _histograms, _json_transforms, _any_true):
        tree = tree.transform(transform)
    return tree.sql(dialect="spark")


def _named_placeholders(sql: str) -> str:
    """Every ``?`` (outside strings) as ``$_p<i>``."""
    spots = [t.start for t in _READ.tokenize(sql) if t.token_type in (TokenType.PLACEHOLDER, TokenType.QDCOLON)
             and t.text.startswith("?")]  # (``?::`` is one token: the ``?try_cast`` operator)
    for i, start in reversed(list(enumerate(spots))):
        sql = f"{sql[:start]}${_PARAM}{i}{sql[start + 1:]}"
    return sql


# --- stars and unions that need the columns


def _needs_columns(tree: exp.Expr) -> bool:
    starred = any(s.args.get("except_") or s.args.get("replace") for s in tree.find_all(exp.Star))
    return starred or tree.find(exp.Qualify) is not None or any(u.args.get("by_name") for u in tree.find_all(exp.Union))


def _expanded(tree: exp.Expr, columns: Columns) -> exp.Expr:
    """``tree`` with every star expanded into the columns it stands for (sqlglot's qualify over ``columns``)
    and its unions by name in the left side's order."""
    schema = MappingSchema({name: dict(cols) for name, cols in columns.items()}, dialect="spark")
    qualified = qualify(tree, schema=schema, dialect=_READ, quote_identifiers=False, identify=False,
                        validate_qualify_columns=False)
    return qualified.transform(_union_in_order).transform(_qualify_as_subquery)


def _union_in_order(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.Union) or not node.args.get("by_name"):
        return node
    left, right = node.this, node.expression
    while isinstance(left, exp.Subquery):  # (a side in parentheses)
        left = left.this
    while isinstance(right, exp.Subquery):
        right = right.this
    if not isinstance(left, exp.Select) or not isinstance(right, exp.Select):
        raise TypeError(f"a union by name of selects only, for Spark: {node.sql(dialect=_READ)[:200]}")
    by_name = {p.alias_or_name: p for p in right.expressions}
    right.set("expressions", [by_name.get(p.alias_or_name) or exp.alias_(exp.Null(), p.alias_or_name)
                              for p in left.expressions])  # (a column the right side lacks: NULL, as DuckDB's)
    node.set("by_name", None)
    return node


def _qualify_as_subquery(node: exp.Expr) -> exp.Expr:
    """``SELECT cols FROM ... QUALIFY cond`` (its columns expanded) as ``SELECT cols FROM (SELECT cols, window
    AS _w<i> FROM ...) _q WHERE cond`` (its windows by name, its columns by their output names). sqlglot's own
    rewrite keeps the columns' table names in the outer filter, where they no longer resolve."""
    if not isinstance(node, exp.Select) or not node.args.get("qualify"):
        return node
    condition = node.args["qualify"].this.copy()
    node.set("qualify", None)
    names = [p.alias_or_name for p in node.expressions]
    for i, window in enumerate(list(condition.find_all(exp.Window))):
        node.append("expressions", exp.alias_(window.copy(), f"_w{i}"))
        window.replace(exp.column(f"_w{i}"))
    after = {clause: node.args[clause] for clause in ("order", "limit", "offset") if node.args.get(clause)}
    for clause in after:  # (after QUALIFY: the outer select's)
        node.set(clause, None)
    for part in (condition, after.get("order")):
        for column in part.find_all(exp.Column) if part is not None else ():
            if column.name not in names and not column.name.startswith("_w"):
                raise ValueError(f"QUALIFY over a column not selected: {column.sql(dialect=_READ)}")
            column.set("table", None)  # the subquery's output, by name
    outer = exp.select(*names).from_(exp.Subquery(this=node, alias=exp.TableAlias(this=exp.to_identifier("_q"))),
                                     copy=False).where(condition, copy=False)
    for clause, value in after.items():
        outer.set(clause, value)
    return outer


# --- sqlglot's output fixed


_ORDERED = (exp.ArrayAgg, exp.First, exp.Last)  # aggregates DuckDB takes an ORDER BY in


def _ordered_lists(node: exp.Expr) -> exp.Expr:
    """``list(x ORDER BY k...)`` (with DISTINCT, FILTER) as a sorted ``collect_list`` (see the module);
    ``first`` and ``last`` of it as its first and last value."""
    agg, where = node, None
    if isinstance(node, exp.Filter) and isinstance(node.this, _ORDERED):
        agg, where = node.this, node.expression
    elif not isinstance(node, _ORDERED) or isinstance(node.parent, exp.Filter):
        return node
    order = agg.this
    if not isinstance(order, exp.Order):
        return node
    value, distinct = order.this, isinstance(order.this, exp.Distinct)
    if isinstance(value, exp.Distinct):
        value = value.expressions[0]
    keys: list[exp.Ordered] = list(order.expressions)
    fields = [exp.alias_(k.this.copy(), f"k{i}") for i, k in enumerate(keys)] + [exp.alias_(value.copy(), "v")]
    collected: exp.Expr = exp.Anonymous(this="COLLECT_LIST", expressions=[exp.Struct(expressions=fields)])
    if where is not None:
        collected = exp.Filter(this=collected, expression=where.copy())
    comparator = exp.Lambda(this=_compare(keys), expressions=[exp.to_identifier("_a"), exp.to_identifier("_b")])
    sorted_values = exp.Transform(
        this=exp.Anonymous(this="ARRAY_SORT", expressions=[collected, comparator]),
        expression=exp.Lambda(this=exp.column("v", "_s"), expressions=[exp.to_identifier("_s")]))
    values: exp.Expr = exp.Anonymous(this="ARRAY_DISTINCT", expressions=[sorted_values]) if distinct else sorted_values
    if not isinstance(agg, exp.ArrayAgg):  # first, last: NULL over no rows (try_element_at)
        return exp.Anonymous(this="TRY_ELEMENT_AT", expressions=[values, exp.Literal.number(
            1 if isinstance(agg, exp.First) else -1)])
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=exp.ArraySize(this=values.copy()), expression=exp.Literal.number(0)),
                                true=exp.Null())], default=values)


def _compare(keys: list[exp.Ordered]) -> exp.Expr:
    """The comparator of (l, r) over the structs' k0, k1...: DuckDB's order (NULLs last unless asked)."""
    result: exp.Expr = exp.Literal.number(0)
    for i, key in reversed(list(enumerate(keys))):
        left, right = exp.column(f"k{i}", "_a"), exp.column(f"k{i}", "_b")
        before, after = (exp.Literal.number(1), exp.Literal.number(-1)) if key.args.get("desc") else (
            exp.Literal.number(-1), exp.Literal.number(1))
        null_first = bool(key.args.get("nulls_first"))
        result = exp.Case(ifs=[
            exp.If(this=exp.and_(left.copy().is_(exp.null()), right.copy().is_(exp.null())), true=result),
            exp.If(this=left.copy().is_(exp.null()), true=exp.Literal.number(-1 if null_first else 1)),
            exp.If(this=right.copy().is_(exp.null()), true=exp.Literal.number(1 if null_first else -1)),
            exp.If(this=exp.LT(this=left.copy(), expression=right.copy()), true=before),
            exp.If(this=exp.GT(this=left.copy(), expression=right.copy()), true=after),
        ], default=result)
    return result


def _json_wildcards(node: exp.Expr) -> exp.Expr:
    """``json_extract_string(x, '$[*]')``: the array's items; ``'$.*'``: the object's values (as text)."""
    if not isinstance(node, (exp.JSONExtractScalar, exp.JSONExtract)):
        return node
    path = node.expression
    if not isinstance(path, exp.Literal) or path.name not in ("$[*]", "$.*"):
        return node
    if path.name == "$[*]":
        return exp.Anonymous(this="FROM_JSON", expressions=[node.this, exp.Literal.string("array<string>")])
    as_map = exp.Anonymous(this="FROM_JSON", expressions=[node.this, exp.Literal.string("map<string,string>")])
    return exp.Anonymous(this="MAP_VALUES", expressions=[as_map])


def _arrays_overlap(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="ARRAYS_OVERLAP", expressions=[node.this, node.expression])
    return node


_LGAMMA = ("((_y - 0.5) * LN(_y) - _y + 0.9189385332046728 + 1 / (12 * _y) - 1 / (360 * POW(_y, 3)) "
           "+ 1 / (1260 * POW(_y, 5)) - LN(_x * (_x + 1) * (_x + 2) * (_x + 3) * (_x + 4) * (_x + 5)))")


def _lgamma(node: exp.Expr) -> exp.Expr:
    if not (isinstance(node, exp.Anonymous) and node.name.upper() == "LGAMMA"):
        return node
    x = exp.paren(node.expressions[0].copy(), copy=False)
    y = exp.paren(exp.Add(this=x.copy(), expression=exp.Literal.number(6)), copy=False)
    series = sqlglot.parse_one(_LGAMMA, dialect="spark")
    return series.transform(lambda n: (x.copy() if n.name == "_x" else y.copy())
                            if isinstance(n, exp.Column) and n.name in ("_x", "_y") else n)


def _hex_numbers(node: exp.Expr) -> exp.Expr:
    if not (isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.BIGINT)):
        return node
    text = node.this.unnest() if isinstance(node.this, exp.Paren) else node.this
    if not (isinstance(text, exp.DPipe) and isinstance(text.this, exp.Literal) and text.this.name == "0x"):
        return node
    digits = exp.Anonymous(this="CONV", expressions=[text.expression.copy(), exp.Literal.number(16), exp.Literal.number(10)])
    return exp.cast(digits, exp.DataType.build("BIGINT"))


_PLACEHOLDER = re.compile(r"\{(?::\.?(\d*)([fg]))?\}")


def _formats(node: exp.Expr) -> exp.Expr:
    pattern = _literal_text(node.this) if isinstance(node, exp.Format) else None
    if pattern is None:
        return node
    values = list(node.expressions)
    parts: list[exp.Expr] = []
    position = 0
    for i, spot in enumerate(_PLACEHOLDER.finditer(pattern)):
        if i >= len(values):
            return node
        if spot.start() > position:
            parts.append(exp.Literal.string(pattern[position:spot.start()]))
        parts.append(_formatted(values[i].copy().transform(_formats), spot.group(1), spot.group(2)))
        position = spot.end()
    if position < len(pattern):
        parts.append(exp.Literal.string(pattern[position:]))
    return exp.Anonymous(this="CONCAT", expressions=parts)


def _literal_text(node: exp.Expr | None) -> str | None:
    """The text of a string literal, or of literals joined by ``||``; None for anything else."""
    if isinstance(node, exp.Literal) and node.is_string:
        return node.name
    if isinstance(node, exp.DPipe):
        left, right = _literal_text(node.this), _literal_text(node.expression)
        return left + right if left is not None and right is not None else None
    return None


def _formatted(value: exp.Expr, digits: str | None, kind: str | None) -> exp.Expr:
    """One value as fmt's ``{}``, ``{:.Nf}``, ``{:.Ng}`` or ``{:g}`` writes it."""
    if kind is None:
        return exp.cast(value, exp.DataType.build("STRING"))
    value = exp.cast(value, exp.DataType.build("DOUBLE"))  # (Java's %f and %g take no decimal)
    if kind == "f":  # (Java rounds a tie half up, C half-even: a tie is exact in binary only as x.5 at .0f)
        rounded = exp.Anonymous(this="BROUND", expressions=[value, exp.Literal.number(0)]) if digits == "0" else value
        return exp.Anonymous(this="FORMAT_STRING", expressions=[exp.Literal.string(f"%.{digits or 6}f"), rounded])
    text = exp.Anonymous(this="FORMAT_STRING", expressions=[exp.Literal.string(f"%.{digits or 6}g"), value])
    zeros = exp.Anonymous(this="REGEXP_REPLACE", expressions=[text, exp.Literal.string(r"(\.[0-9]*?)0+(e|$)"),
                                                              exp.Literal.string("$1$2")])
    return exp.Anonymous(this="REGEXP_REPLACE", expressions=[zeros, exp.Literal.string(r"\.(e|$)"),
                                                             exp.Literal.string("$1")])


_UNITS = {"TO_DAYS": 0, "TO_HOURS": 1, "TO_MINUTES": 2, "TO_SECONDS": 3}  # make_dt_interval's argument


def _intervals(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.ToDays):
        name, value = "TO_DAYS", node.this
    elif isinstance(node, exp.Anonymous) and node.name.upper() in _UNITS and len(node.expressions) == 1:
        name, value = node.name.upper(), node.expressions[0]
    else:
        return node
    parts: list[exp.Expr] = [exp.Literal.number(0)] * 4
    parts[_UNITS[name]] = value.copy()
    return exp.Anonymous(this="MAKE_DT_INTERVAL", expressions=parts)


def _json_objects(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.JSONObject) or not all(isinstance(p, exp.JSONKeyValue) for p in node.expressions):
        return node
    pairs = [e.copy().transform(_json_objects) for p in node.expressions for e in (p.this, p.expression)]
    return exp.Anonymous(this="TO_JSON", expressions=[exp.Anonymous(this="NAMED_STRUCT", expressions=pairs)])


def _histograms(node: exp.Expr) -> exp.Expr:
    if not (isinstance(node, exp.Anonymous) and node.name.upper() == "HISTOGRAM" and len(node.expressions) == 1):
        return node
    values = exp.Anonymous(this="COLLECT_LIST", expressions=[node.expressions[0].copy()])
    distinct = exp.Anonymous(this="ARRAY_DISTINCT", expressions=[values])
    count = sqlglot.parse_one("SIZE(FILTER(_all, _x -> _x = _v))", dialect="spark").transform(
        lambda n: values.copy() if isinstance(n, exp.Column) and n.name == "_all" else n)
    counts = exp.Transform(this=distinct.copy(), expression=exp.Lambda(this=count, expressions=[exp.to_identifier("_v")]))
    return exp.Anonymous(this="MAP_FROM_ARRAYS", expressions=[distinct, counts])


def _json_transforms(node: exp.Expr) -> exp.Expr:
    if not (isinstance(node, exp.Anonymous) and node.name.upper() == "JSON_TRANSFORM" and len(node.expressions) == 2
            and isinstance(node.expressions[1], exp.Literal)):
        return node
    spark_type = _spark_type(json.loads(node.expressions[1].name))
    return exp.Anonymous(this="FROM_JSON", expressions=[node.expressions[0].copy(), exp.Literal.string(spark_type)])


def _spark_type(structure: Any) -> str:
    """DuckDB's JSON structure (``[{"a": "VARCHAR"}]``) as a Spark type (``array<struct<a: string>>``)."""
    if isinstance(structure, list):
        return f"array<{_spark_type(structure[0])}>"
    if isinstance(structure, dict):
        return "struct<" + ", ".join(f"`{k}`: {_spark_type(v)}" for k, v in structure.items()) + ">"
    return exp.DataType.build(structure, dialect="duckdb").sql(dialect="spark").lower()


def _any_true(node: exp.Expr) -> exp.Expr:
    if not (isinstance(node, exp.Anonymous) and node.name.upper() == "LIST_BOOL_OR" and len(node.expressions) == 1):
        return node
    items: exp.Expr = node.expressions[0].copy().transform(_any_true)  # (one inside: a replaced node's own are not visited)
    found: exp.Expr = sqlglot.parse_one("EXISTS(_l, _x -> _x)", dialect="spark").transform(
        lambda n: items.copy() if isinstance(n, exp.Column) and n.name == "_l" else n)
    return found


def _json_with_nulls(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Anonymous) and node.name.upper() == "TO_JSON" and len(node.expressions) == 1:
        keep = exp.Anonymous(this="MAP", expressions=[exp.Literal.string("ignoreNullFields"), exp.Literal.string("false")])
        return exp.Anonymous(this="TO_JSON", expressions=[node.expressions[0].copy(), keep])
    return node


def _list_slices(node: exp.Expr) -> exp.Expr:
    if not isinstance(node, exp.Bracket) or len(node.expressions) != 1 or not isinstance(node.expressions[0], exp.Slice):
        return node
    start, end = node.expressions[0].this, node.expressions[0].expression
    if start is None or end is None:
        return node
    length = exp.Add(this=exp.Sub(this=exp.paren(end.copy(), copy=False), expression=exp.paren(start.copy(), copy=False)),
                     expression=exp.Literal.number(1))
    return exp.Anonymous(this="SLICE", expressions=[node.this.copy(), start.copy(), length])


def _side_by_side_unnest(node: exp.Expr) -> exp.Expr:
    """``SELECT unnest(a) AS x, unnest(b) AS y`` as ``SELECT inline(arrays_zip(a, b)) AS (x, y)``."""
    if not isinstance(node, exp.Select) or len(node.expressions) < 2:
        return node
    unnests = [p for p in node.expressions if isinstance(p.unalias(), (exp.Unnest, exp.Explode))]
    if len(unnests) != len(node.expressions):
        return node
    arrays = [u.unalias().this if isinstance(u.unalias(), exp.Explode) else u.unalias().expressions[0]
              for u in unnests]
    zipped = exp.Anonymous(this="INLINE", expressions=[exp.Anonymous(this="ARRAYS_ZIP", expressions=arrays)])
    node.set("expressions", [exp.Aliases(this=zipped, expressions=[exp.to_identifier(u.alias_or_name)
                                                                    for u in unnests])])
    return node
