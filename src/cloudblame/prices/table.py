"""The bundled on-demand USD price table and monthly cost estimates.

The table is one gzip CSV packaged with cloudblame (``prices.csv.gz``), with columns
``service,region,item,unit,usd,price_list_date,source,note``. It is built from public price lists by
``tools/build_price_table.py`` or from the AWS Price List API by :func:`cloudblame.prices.refresh.refresh`.

Items per service (units in brackets)::

    ec2          <instance type>                         [hour]   Linux, shared tenancy
    ebs          gp2|gp3|io1|io2|st1|sc1|standard         [gb-month] volume storage
                 snapshot:standard|snapshot:archive        [gb-month]
                 iops:gp3|iops:io1|iops:io2                [iops-month]
                 throughput:gp3                            [gibps-month]
    rds          <engine>:<class>:<deployment>             [hour]   engine postgres|mysql,
                                                                    deployment single-az|multi-az|multi-az-cluster
    elasticache  <engine>:<node type>                      [hour]   engine redis|valkey|memcached
    opensearch   <instance type>  (e.g. m5.large.search)   [hour]
    redshift     <node type>                               [hour]
    sagemaker    <ml. instance type>                       [hour]   Studio notebook prices
    nat          gateway [hour], data [gb]
    eip          in-use, idle                              [hour]   public IPv4 address
    elb          application|network|classic|gateway [hour], application-lcu|network-lcu [lcu-hour],
                 classic-data [gb]
    eks          cluster, cluster-extended                 [hour]
    lambda       x86-gb-second, arm-gb-second [gb-second], request [request]
    dynamodb     rcu [rcu-hour], wcu [wcu-hour], read-request|write-request [request-unit], storage [gb-month]

:meth:`PriceTable.monthly_cost` turns a CloudFormation resource type and a size dict into a monthly
estimate (730 hours a month) with the price model of the type's catalog entry (``price``, see
:mod:`cloudblame.catalog.pricing`; the models' code is :mod:`cloudblame.prices.models`). Every estimate
carries its basis; a price the table does not have is unknown (``usd_per_month=None`` with the reason),
never zero. A type whose entry has no model is unknown with the entry's ``unpriced_reason``; one whose model
is ``NoCharge`` (VPCs, subnets, security groups, IAM...) costs a known 0.0.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from cloudblame.catalog import TYPES
from cloudblame.catalog.pricing import NoCharge
from cloudblame.prices.models import HOURS_PER_MONTH, Cost, Price, estimate

__all__ = ["DATA_FILE", "HOURS_PER_MONTH", "PRICE_MODELS_VERSION", "SUPPORTED_TYPES", "Cost", "Price", "PriceTable",
           "monthly_cost", "price", "read_rows", "write_table"]

# Raised whenever an estimate changes for the same size and prices (a new model, a dimension priced): a
# store's inventory priced under another version is priced again at its next publish.
PRICE_MODELS_VERSION = 4
DATA_FILE = "prices.csv.gz"
COLUMNS = ("service", "region", "item", "unit", "usd", "price_list_date", "source", "note")
# The types the catalog gives a price model that charges something.
SUPPORTED_TYPES: frozenset[str] = frozenset(
    name for name, entry in TYPES.items() if name == entry.type and entry.price is not None
    and not isinstance(entry.price, NoCharge))


# --------------------------------------------------------------------------- file format


def normalize_usd(value: str | float) -> str:
    """A price as a short exact decimal string ('0.0960000000' -> '0.096', '1E-7' -> '0.0000001')."""
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a price: {value!r}") from exc
    text = format(d.normalize(), "f")
    return text if text != "-0" else "0"


def _newer(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    return a["price_list_date"] > b["price_list_date"]


def dedupe(rows: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """One row per (service, region, item): the newest price_list_date wins; sorted."""
    best: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in rows:
        r = {c: str(row.get(c) or "") for c in COLUMNS}
        key = (r["service"], r["region"], r["item"])
        old = best.get(key)
        if old is None or _newer(r, old):
            best[key] = r
    return [best[k] for k in sorted(best)]


def encode_table(rows: Iterable[Mapping[str, str]]) -> bytes:
    """The CSV text (deduped, sorted, normalized) of a price table, uncompressed."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in dedupe(rows):
        r["usd"] = normalize_usd(r["usd"])
        writer.writerow([r[c] for c in COLUMNS])
    return buf.getvalue().encode("utf-8")


def write_table(rows: Iterable[Mapping[str, str]], out: Path) -> int:
    """Write a price table (gzip CSV, reproducible: no name or mtime in the header). Returns rows written."""
    data = encode_table(rows)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    tmp.replace(out)
    return data.count(b"\n") - 1


def read_rows(data: bytes) -> list[dict[str, str]]:
    """Rows of a gzip CSV price table."""
    text = gzip.decompress(data).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


class PriceTable:
    """An in-memory price table: (service, region, item) -> Price."""

    def __init__(self, rows: Iterable[Mapping[str, str]], origin: str = "") -> None:
        self.origin = origin
        self._prices: dict[tuple[str, str, str], Price] = {}
        for r in rows:
            self._prices[(r["service"], r["region"], r["item"])] = Price(
                usd=float(r["usd"]),
                unit=r["unit"],
                price_list_date=r["price_list_date"],
                source=r.get("source") or "",
                note=r.get("note") or "",
            )

    # -- loading

    @classmethod
    def load(cls) -> PriceTable:
        """The table packaged with cloudblame (read once, then cached)."""
        return _packaged()

    @classmethod
    def from_path(cls, path: Path | str) -> PriceTable:
        """A table from a gzip CSV file (e.g. one written by ``prices refresh``)."""
        return cls(read_rows(Path(path).read_bytes()), origin=str(path))

    # -- queries

    def __len__(self) -> int:
        return len(self._prices)

    def price(self, service: str, item: str, region: str) -> Price | None:
        return self._prices.get((service, region, item))

    def services(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for service, _, _ in self._prices:
            out[service] = out.get(service, 0) + 1
        return dict(sorted(out.items()))

    def regions(self, service: str | None = None) -> list[str]:
        return sorted({r for s, r, _ in self._prices if service is None or s == service})

    # -- estimates

    def monthly_cost(self, resource_type: str, size: Mapping[str, Any] | None, region: str) -> Cost:
        """Estimated on-demand USD per month for a resource, with its basis or the reason it is unknown:
        the price model of the type's catalog entry applied to ``size``."""
        entry = TYPES.get(resource_type)
        if entry is None or entry.price is None:
            reason = entry.unpriced_reason if entry is not None else None
            return Cost(None, f"no price model for {resource_type}" + (f": {reason}" if reason else ""))
        return estimate(self, entry.price, entry.type, size or {}, region)


@lru_cache(maxsize=1)
def _packaged() -> PriceTable:
    ref = resources.files("cloudblame.prices").joinpath(DATA_FILE)
    return PriceTable(read_rows(ref.read_bytes()), origin=f"cloudblame.prices/{DATA_FILE}")


def price(service: str, item: str, region: str) -> Price | None:
    """A price from the packaged table."""
    return PriceTable.load().price(service, item, region)


def monthly_cost(resource_type: str, size: Mapping[str, Any] | None, region: str) -> Cost:
    """A monthly cost estimate from the packaged table."""
    return PriceTable.load().monthly_cost(resource_type, size, region)
