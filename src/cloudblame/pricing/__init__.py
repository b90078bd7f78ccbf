"""On-demand list prices bundled with the package (built by scripts/build_price_table.py)."""

from cloudblame.pricing.table import Cost, Price, PriceTable

__all__ = ["Cost", "Price", "PriceTable"]
