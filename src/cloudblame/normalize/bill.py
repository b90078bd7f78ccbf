"""AWS cost exports read as bill lines: which format a file is (from its columns), which of its columns
give each field of a line, and its rows turned into rows of the ``bill_lines`` table.

Pure: column names in, a format and a column map out; an Arrow batch of those columns in, bill lines out.
Three formats, by their public column specifications:

- ``cur2``: Cost and Usage Report 2.0 (AWS Data Exports; Parquet, or CSV): snake_case columns
  (``line_item_resource_id``, ``line_item_unblended_cost``...), map columns (``product``,
  ``resource_tags``...) and rates as text; legacy CUR delivered as Parquet has the same names without the
  map columns and is read the same way (as ``cur``).
- ``cur``: the legacy Cost and Usage Report as CSV (gzip or zip): ``category/Name`` headers
  (``lineItem/ResourceId``, ``lineItem/UnblendedCost``...), every value text.
- ``focus``: FOCUS 1.0 (AWS's export adds ``x_ServiceCode``, ``x_UsageType``...): ``BillingPeriodStart``,
  ``ResourceId``, ``BilledCost``...

The cost of a line is what the invoice charges for it: the unblended cost (CUR) or BilledCost (FOCUS), in
its currency. Tax, support and most data transfer lines name no resource: their resource id is NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

_S, _T = pa.string(), pa.timestamp("us")

BILL_LINE_SCHEMA = pa.schema([
    ("period", pa.date32()), ("usage_start", _T), ("usage_end", _T), ("bill_resource_id", _S),
    ("usage_account_id", _S), ("region", _S), ("service", _S), ("usage_type", _S), ("line_item_type", _S),
    ("cost", pa.float64()), ("currency", _S), ("source_format", _S), ("source_path", _S)])

# The fields read from a file (BILL_LINE_SCHEMA less what the reader adds), and the columns that give
# each in every format, the first one a file has winning.
_TIMES = ("period", "usage_start", "usage_end")
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "cur2": {
        "period": ("bill_billing_period_start_date",), "usage_start": ("line_item_usage_start_date",),
        "usage_end": ("line_item_usage_end_date",), "bill_resource_id": ("line_item_resource_id",),
        "usage_account_id": ("line_item_usage_account_id",),
        "region": ("product_region_code", "product_region"), "service": ("line_item_product_code",),
        "usage_type": ("line_item_usage_type",), "line_item_type": ("line_item_line_item_type",),
        "cost": ("line_item_unblended_cost",), "currency": ("line_item_currency_code",)},
    "cur": {
        "period": ("bill/BillingPeriodStartDate",), "usage_start": ("lineItem/UsageStartDate",),
        "usage_end": ("lineItem/UsageEndDate",), "bill_resource_id": ("lineItem/ResourceId",),
        "usage_account_id": ("lineItem/UsageAccountId",), "region": ("product/regionCode", "product/region"),
        "service": ("lineItem/ProductCode",), "usage_type": ("lineItem/UsageType",),
        "line_item_type": ("lineItem/LineItemType",), "cost": ("lineItem/UnblendedCost",),
        "currency": ("lineItem/CurrencyCode",)},
    "focus": {
        "period": ("BillingPeriodStart",), "usage_start": ("ChargePeriodStart",), "usage_end": ("ChargePeriodEnd",),
        "bill_resource_id": ("ResourceId",), "usage_account_id": ("SubAccountId",),
        "region": ("RegionId", "Region"), "service": ("x_ServiceCode", "ServiceName"),
        "usage_type": ("x_UsageType", "ChargeDescription"), "line_item_type": ("ChargeCategory",),
        "cost": ("BilledCost",), "currency": ("BillingCurrency",)},
}
REQUIRED = ("period", "cost")  # a file without a column for these is not a bill this reads
_CUR2_ONLY = ("product", "resource_tags", "bill_payer_account_name")  # columns legacy CUR never has


class BadBill(ValueError):
    """A file whose columns or values are not a cost export's (the message says which)."""


def bill_format(columns: Sequence[str]) -> str | None:
    """``cur2``, ``cur`` or ``focus`` by the columns a file has; None when it is none of them."""
    names = set(columns)
    if "line_item_unblended_cost" in names and "bill_billing_period_start_date" in names:
        return "cur2" if names & set(_CUR2_ONLY) else "cur"
    if "lineItem/UnblendedCost" in names and "bill/BillingPeriodStartDate" in names:
        return "cur"
    if "BilledCost" in names and "BillingPeriodStart" in names:
        return "focus"
    return None


def column_map(fmt: str, columns: Sequence[str]) -> dict[str, str]:
    """field -> the file's column giving it, for the fields the file has (``fmt``: a key of COLUMNS).
    A CUR read as ``cur`` from Parquet has CUR 2.0's names: both maps are tried."""
    names = set(columns)
    found: dict[str, str] = {}
    for table in (COLUMNS[fmt], COLUMNS["cur2"]) if fmt == "cur" else (COLUMNS[fmt],):
        for field, candidates in table.items():
            column = next((c for c in candidates if c in names), None)
            if column is not None and field not in found:
                found[field] = column
    if missing := [f for f in REQUIRED if f not in found]:
        raise BadBill(f"no column for {', '.join(missing)} (a {fmt} export has {', '.join(COLUMNS[fmt][missing[0]])})")
    return found


def bill_lines(batch: pa.RecordBatch | pa.Table, columns: dict[str, str], *, fmt: str, path: str) -> pa.Table:
    """The bill lines of ``batch`` (a file's rows with the columns of ``columns``: field -> column): texts
    blank or empty as NULL, times as UTC, the billing period as its start date, costs as numbers."""
    rows = batch.num_rows
    out: dict[str, pa.Array] = {}
    for field in BILL_LINE_SCHEMA:
        name = field.name
        if name == "source_format" or name == "source_path":
            out[name] = pa.array([fmt if name == "source_format" else path] * rows, _S)
        elif name not in columns:
            out[name] = pa.nulls(rows, field.type)
        else:
            out[name] = _value(_column(batch, columns[name]), name, field.type)
    return pa.table(out, schema=BILL_LINE_SCHEMA)


def _column(batch: pa.RecordBatch | pa.Table, name: str) -> pa.Array:
    column = batch.column(name)
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _value(values: pa.Array, name: str, target: pa.DataType) -> pa.Array:
    """One field's values as the bill_lines column wants them."""
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        values = _blank_as_null(values.cast(_S))
        if name in _TIMES:
            values = _utc(values, name)
        elif pa.types.is_floating(target):
            try:
                return pc.cast(values, target)
            except pa.ArrowInvalid as exc:
                raise BadBill(f"{name}: not a number ({exc})") from None
    elif pa.types.is_dictionary(values.type):
        return _value(values.dictionary_decode(), name, target)
    elif pa.types.is_timestamp(values.type):
        values = pc.cast(values, pa.timestamp("us", tz="UTC")) if values.type.tz else values
    if name == "period":
        return _period(values)
    try:
        return pc.cast(pc.cast(values, pa.timestamp("us")) if name in _TIMES else values, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise BadBill(f"{name}: cannot read {values.type} as {target} ({exc})") from None


def _blank_as_null(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, _S), trimmed)


# Times as exports write them: 2024-05-01T00:00:00Z, ...00.000Z, 2024-05-01 00:00:00, 2024-05-01, +02:00.
_NO_ZONE = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$"
_DAY_ONLY = r"^(\d{4}-\d{2}-\d{2})$"


def _utc(values: pa.Array, name: str) -> pa.Array:
    """ISO 8601 texts as UTC times (a text with no zone is UTC)."""
    values = pc.replace_substring_regex(values, _DAY_ONLY, r"\1T00:00:00")
    values = pc.replace_substring_regex(values, _NO_ZONE, r"\1Z")
    try:
        return pc.cast(values, pa.timestamp("us", tz="UTC"))
    except pa.ArrowInvalid as exc:
        raise BadBill(f"{name}: not an ISO 8601 time ({exc})") from None


def _period(values: pa.Array) -> pa.Array:
    """The billing period: the UTC date it starts on."""
    if pa.types.is_date(values.type):
        return pc.cast(values, pa.date32())
    if pa.types.is_timestamp(values.type) and values.type.tz:
        values = pc.cast(values, pa.timestamp("us"))  # UTC wall time
    try:
        return pc.cast(pc.cast(values, pa.timestamp("us")), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise BadBill(f"period: cannot read {values.type} as a date ({exc})") from None
