"""AWS cost exports written as AWS writes them, from their public column specifications: CUR 2.0 (Data
Exports, Parquet: snake_case columns, map columns ``product``, ``resource_tags``, ``cost_category``,
``discount``, rates as text, timestamps), the legacy CUR (CSV, gzip or zip: ``category/Name`` headers,
every value text) and FOCUS 1.0 with AWS columns (Parquet or CSV). The same ``Line`` items give the same
bill in every format."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PAYER = "999988887777"


@dataclass
class Line:
    """One line item: a charge in a billing period."""

    period: date
    resource_id: str | None
    cost: float
    account: str = "111122223333"
    region: str | None = "us-east-1"
    product_code: str = "AmazonEC2"
    product_name: str = "Amazon Elastic Compute Cloud"
    usage_type: str = "BoxUsage:t3.micro"
    line_type: str = "Usage"
    operation: str = "RunInstances"
    currency: str = "USD"
    day: int = 1
    amount: float = 24.0
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return datetime(self.period.year, self.period.month, self.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    @property
    def period_end(self) -> datetime:
        month = self.period.replace(day=28) + timedelta(days=4)
        return datetime(month.year, month.month, 1, tzinfo=UTC)

    @property
    def rate(self) -> str:
        return f"{self.cost / self.amount:.10f}" if self.amount else "0.0000000000"


def _iso(t: datetime, millis: bool = False) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".000Z" if millis else "Z")


def tax(period: date, cost: float, *, product_code: str = "AmazonEC2") -> Line:
    """A tax line: no resource, no usage."""
    return Line(period, None, cost, product_code=product_code, usage_type="", line_type="Tax", operation="",
                region=None, amount=0.0)


def data_transfer(period: date, cost: float) -> Line:
    """A data transfer line as the bill gives most: no resource id."""
    return Line(period, None, cost, product_code="AWSDataTransfer", product_name="AWS Data Transfer",
                usage_type="USE1-DataTransfer-Out-Bytes", operation="", amount=120.0)


# --- CUR 2.0 (Data Exports), Parquet

_MAP = pa.map_(pa.string(), pa.string())
CUR2_SCHEMA = pa.schema([
    ("bill_bill_type", pa.string()), ("bill_billing_entity", pa.string()),
    ("bill_billing_period_end_date", pa.timestamp("ms")), ("bill_billing_period_start_date", pa.timestamp("ms")),
    ("bill_invoice_id", pa.string()), ("bill_invoicing_entity", pa.string()), ("bill_payer_account_id", pa.string()),
    ("bill_payer_account_name", pa.string()), ("cost_category", _MAP), ("discount", pa.map_(pa.string(), pa.float64())),
    ("discount_bundled_discount", pa.float64()), ("discount_total_discount", pa.float64()),
    ("identity_line_item_id", pa.string()), ("identity_time_interval", pa.string()),
    ("line_item_availability_zone", pa.string()), ("line_item_blended_cost", pa.float64()),
    ("line_item_blended_rate", pa.string()), ("line_item_currency_code", pa.string()),
    ("line_item_legal_entity", pa.string()), ("line_item_line_item_description", pa.string()),
    ("line_item_line_item_type", pa.string()), ("line_item_net_unblended_cost", pa.float64()),
    ("line_item_net_unblended_rate", pa.string()), ("line_item_normalization_factor", pa.float64()),
    ("line_item_normalized_usage_amount", pa.float64()), ("line_item_operation", pa.string()),
    ("line_item_product_code", pa.string()), ("line_item_resource_id", pa.string()),
    ("line_item_tax_type", pa.string()), ("line_item_unblended_cost", pa.float64()),
    ("line_item_unblended_rate", pa.string()), ("line_item_usage_account_id", pa.string()),
    ("line_item_usage_account_name", pa.string()), ("line_item_usage_amount", pa.float64()),
    ("line_item_usage_end_date", pa.timestamp("ms")), ("line_item_usage_start_date", pa.timestamp("ms")),
    ("line_item_usage_type", pa.string()), ("pricing_currency", pa.string()), ("pricing_lease_contract_length", pa.string()),
    ("pricing_offering_class", pa.string()), ("pricing_public_on_demand_cost", pa.float64()),
    ("pricing_public_on_demand_rate", pa.string()), ("pricing_purchase_option", pa.string()),
    ("pricing_rate_code", pa.string()), ("pricing_rate_id", pa.string()), ("pricing_term", pa.string()),
    ("pricing_unit", pa.string()), ("product", _MAP), ("product_comment", pa.string()),
    ("product_fee_code", pa.string()), ("product_fee_description", pa.string()), ("product_from_location", pa.string()),
    ("product_instance_family", pa.string()), ("product_instance_type", pa.string()), ("product_location", pa.string()),
    ("product_operation", pa.string()), ("product_product_family", pa.string()), ("product_region_code", pa.string()),
    ("product_servicecode", pa.string()), ("product_sku", pa.string()), ("product_to_location", pa.string()),
    ("reservation_amortized_upfront_cost_for_usage", pa.float64()), ("reservation_reservation_a_r_n", pa.string()),
    ("resource_tags", _MAP), ("savings_plan_savings_plan_a_r_n", pa.string()),
    ("savings_plan_savings_plan_effective_cost", pa.float64()), ("split_line_item_split_cost", pa.float64()),
])


def _cur2_row(n: int, line: Line) -> dict[str, object]:
    naive = {k: v.replace(tzinfo=None) for k, v in
             {"start": line.start, "end": line.end, "p0": datetime(line.period.year, line.period.month, 1, tzinfo=UTC),
              "p1": line.period_end}.items()}
    row: dict[str, object] = {name: None for name in CUR2_SCHEMA.names}
    row.update({
        "bill_bill_type": "Anniversary", "bill_billing_entity": "AWS", "bill_billing_period_start_date": naive["p0"],
        "bill_billing_period_end_date": naive["p1"], "bill_invoice_id": "", "bill_invoicing_entity": "Amazon Web Services, Inc.",
        "bill_payer_account_id": PAYER, "bill_payer_account_name": "payer", "cost_category": [("team", "platform")],
        "discount": [], "identity_line_item_id": f"li{n:06d}",
        "identity_time_interval": f"{_iso(line.start)}/{_iso(line.end)}",
        "line_item_availability_zone": f"{line.region}a" if line.region and line.resource_id else "",
        "line_item_blended_cost": line.cost, "line_item_blended_rate": line.rate, "line_item_currency_code": line.currency,
        "line_item_legal_entity": "Amazon Web Services, Inc.", "line_item_line_item_description": f"{line.usage_type} charge",
        "line_item_line_item_type": line.line_type, "line_item_operation": line.operation,
        "line_item_product_code": line.product_code, "line_item_resource_id": line.resource_id,
        "line_item_tax_type": "USSalesTax" if line.line_type == "Tax" else "", "line_item_unblended_cost": line.cost,
        "line_item_unblended_rate": line.rate, "line_item_usage_account_id": line.account,
        "line_item_usage_account_name": "sandbox", "line_item_usage_amount": line.amount,
        "line_item_usage_start_date": naive["start"], "line_item_usage_end_date": naive["end"],
        "line_item_usage_type": line.usage_type, "pricing_public_on_demand_cost": line.cost,
        "pricing_public_on_demand_rate": line.rate, "pricing_term": "OnDemand", "pricing_unit": "Hrs",
        "product": [("product_name", line.product_name), ("region", line.region or ""), ("servicename", line.product_name)],
        "product_region_code": line.region, "product_servicecode": line.product_code,
        "resource_tags": list(line.tags.items()),
    })
    return row


def write_cur2_parquet(path: Path, lines: list[Line]) -> Path:
    """A CUR 2.0 export file as Data Exports writes it (Parquet, snappy)."""
    rows = [_cur2_row(n, line) for n, line in enumerate(lines)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=CUR2_SCHEMA), path, compression="snappy")
    return path


def write_cur2_csv(path: Path, lines: list[Line]) -> Path:
    """A CUR 2.0 export as Data Exports writes it in gzip/csv: the same columns, map columns as JSON,
    timestamps as ISO 8601 with milliseconds."""
    import json

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CUR2_SCHEMA.names)
    for n, line in enumerate(lines):
        row = _cur2_row(n, line)
        writer.writerow([_iso(v.replace(tzinfo=UTC), millis=True) if isinstance(v, datetime)
                         else json.dumps(dict(v)) if isinstance(v, list) else "" if v is None else v
                         for v in (row[c] for c in CUR2_SCHEMA.names)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(out.getvalue().encode()))
    return path


# --- legacy CUR, CSV

CUR_COLUMNS = [
    "identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/InvoicingEntity", "bill/BillingEntity",
    "bill/BillType", "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId", "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate",
    "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone",
    "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/NormalizationFactor", "lineItem/CurrencyCode",
    "lineItem/UnblendedRate", "lineItem/UnblendedCost", "lineItem/BlendedRate", "lineItem/BlendedCost",
    "lineItem/LineItemDescription", "lineItem/TaxType", "lineItem/LegalEntity", "product/ProductName",
    "product/instanceType", "product/location", "product/locationType", "product/operation", "product/productFamily",
    "product/region", "product/regionCode", "product/servicecode", "product/sku", "pricing/RateCode", "pricing/RateId",
    "pricing/currency", "pricing/publicOnDemandCost", "pricing/publicOnDemandRate", "pricing/term", "pricing/unit",
    "reservation/ReservationARN", "savingsPlan/SavingsPlanARN", "resourceTags/user:Owner",
]


def _cur_row(n: int, line: Line) -> list[str]:
    p0 = datetime(line.period.year, line.period.month, 1, tzinfo=UTC)
    values = {
        "identity/LineItemId": f"li{n:06d}", "identity/TimeInterval": f"{_iso(line.start)}/{_iso(line.end)}",
        "bill/InvoicingEntity": "Amazon Web Services, Inc.", "bill/BillingEntity": "AWS", "bill/BillType": "Anniversary",
        "bill/PayerAccountId": PAYER, "bill/BillingPeriodStartDate": _iso(p0),
        "bill/BillingPeriodEndDate": _iso(line.period_end), "lineItem/UsageAccountId": line.account,
        "lineItem/LineItemType": line.line_type, "lineItem/UsageStartDate": _iso(line.start),
        "lineItem/UsageEndDate": _iso(line.end), "lineItem/ProductCode": line.product_code,
        "lineItem/UsageType": line.usage_type, "lineItem/Operation": line.operation,
        "lineItem/ResourceId": line.resource_id or "", "lineItem/UsageAmount": f"{line.amount:.10f}",
        "lineItem/CurrencyCode": line.currency, "lineItem/UnblendedRate": line.rate,
        "lineItem/UnblendedCost": f"{line.cost:.10f}", "lineItem/BlendedRate": line.rate,
        "lineItem/BlendedCost": f"{line.cost:.10f}", "lineItem/LineItemDescription": f"{line.usage_type} charge",
        "lineItem/TaxType": "USSalesTax" if line.line_type == "Tax" else "", "product/ProductName": line.product_name,
        "product/region": line.region or "", "product/regionCode": line.region or "",
        "product/servicecode": line.product_code, "pricing/publicOnDemandRate": line.rate, "pricing/term": "OnDemand",
        "resourceTags/user:Owner": line.tags.get("Owner", ""),
    }
    return [values.get(c, "") for c in CUR_COLUMNS]


def cur_csv_text(lines: list[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CUR_COLUMNS)
    writer.writerows(_cur_row(n, line) for n, line in enumerate(lines))
    return out.getvalue()


def write_cur_csv(path: Path, lines: list[Line]) -> Path:
    """A legacy CUR report file: CSV, gzip (``.csv.gz``) or zip (``.csv.zip``), as the name says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = cur_csv_text(lines)
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.name.removesuffix(".zip"), text)
    elif path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


# --- FOCUS 1.0 with AWS columns

FOCUS_COLUMNS = [
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
    "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId",
    "SubAccountName", "Tags", "x_CostCategories", "x_Discounts", "x_Operation", "x_ServiceCode", "x_UsageType",
]
_FOCUS_CATEGORY = {"Usage": "Usage", "Tax": "Tax", "Credit": "Credit", "Fee": "Purchase", "Refund": "Credit"}


def _focus_row(line: Line) -> dict[str, object]:
    p0 = datetime(line.period.year, line.period.month, 1, tzinfo=UTC)
    return {
        "AvailabilityZone": None, "BilledCost": line.cost, "BillingAccountId": PAYER, "BillingAccountName": "payer",
        "BillingCurrency": line.currency, "BillingPeriodEnd": line.period_end, "BillingPeriodStart": p0,
        "ChargeCategory": _FOCUS_CATEGORY.get(line.line_type, "Adjustment"), "ChargeClass": None,
        "ChargeDescription": f"{line.usage_type} charge", "ChargeFrequency": "Usage-Based",
        "ChargePeriodEnd": line.end, "ChargePeriodStart": line.start, "ConsumedQuantity": line.amount,
        "ConsumedUnit": "Hours", "ContractedCost": line.cost, "EffectiveCost": line.cost,
        "InvoiceIssuerName": "Amazon Web Services, Inc.", "ListCost": line.cost, "ListUnitPrice": None,
        "PricingCategory": "Standard", "ProviderName": "AWS", "PublisherName": "Amazon Web Services, Inc.",
        "RegionId": line.region, "RegionName": "US East (N. Virginia)" if line.region == "us-east-1" else None,
        "ResourceId": line.resource_id, "ServiceCategory": "Compute", "ServiceName": line.product_name,
        "SubAccountId": line.account, "SubAccountName": "sandbox", "Tags": list(line.tags.items()),
        "x_CostCategories": [], "x_Discounts": [], "x_Operation": line.operation, "x_ServiceCode": line.product_code,
        "x_UsageType": line.usage_type or None,
    }


_FOCUS_TYPES = {"BilledCost": pa.float64(), "ConsumedQuantity": pa.float64(), "ContractedCost": pa.float64(),
                "ContractedUnitPrice": pa.float64(), "EffectiveCost": pa.float64(), "ListCost": pa.float64(),
                "ListUnitPrice": pa.float64(), "PricingQuantity": pa.float64(),
                "BillingPeriodEnd": pa.timestamp("ms", tz="UTC"), "BillingPeriodStart": pa.timestamp("ms", tz="UTC"),
                "ChargePeriodEnd": pa.timestamp("ms", tz="UTC"), "ChargePeriodStart": pa.timestamp("ms", tz="UTC"),
                "Tags": _MAP, "x_CostCategories": _MAP, "x_Discounts": pa.map_(pa.string(), pa.float64())}
FOCUS_SCHEMA = pa.schema([(c, _FOCUS_TYPES.get(c, pa.string())) for c in FOCUS_COLUMNS])


def write_focus_parquet(path: Path, lines: list[Line]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([_focus_row(line) for line in lines], schema=FOCUS_SCHEMA), path)
    return path


def write_focus_csv(path: Path, lines: list[Line]) -> Path:
    """FOCUS as CSV (gzip when the name ends .gz): map columns as JSON, times as ISO 8601 UTC."""
    import json

    out = io.StringIO()
    writer = csv.DictWriter(out, FOCUS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        row = _focus_row(line)
        writer.writerow({k: (_iso(v) if isinstance(v, datetime) else json.dumps(dict(v)) if isinstance(v, list)
                             else "" if v is None else v) for k, v in row.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    data = out.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path
