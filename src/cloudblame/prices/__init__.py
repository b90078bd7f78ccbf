"""Bundled on-demand USD list prices and monthly cost estimates (see ``table.py`` for the format)."""

from cloudblame.prices.table import (
    HOURS_PER_MONTH,
    SUPPORTED_TYPES,
    Cost,
    Price,
    PriceTable,
    monthly_cost,
    price,
)

__all__ = ["HOURS_PER_MONTH", "SUPPORTED_TYPES", "Cost", "Price", "PriceTable", "monthly_cost", "price"]
