"""Charts drawn on the server as SVG from query rows: stacked bars per day and key, horizontal bars of
cost by owner. No script and no style: colours are SVG presentation attributes (``fill=``), everything
else classes styled by app.css, so the strict Content-Security-Policy holds. The chart is built as an
ElementTree and written by ``core.svgcharts.markup``, which escapes every record value as text or attribute. Each bar has a ``<title>`` tooltip and a
link (the events of that day and key, the owner's inventory); the numbers are also given as text."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from cloudblame.core.money import usd
from cloudblame.core.svgcharts import Bar, horizontal_bars, nice_ticks
from cloudblame.core.svgcharts import element as _el
from cloudblame.core.svgcharts import figure as _figure
from cloudblame.core.svgcharts import number_text as _number
from cloudblame.core.svgcharts import svg_root as _svg

# One colour per key on every chart (a tool or a person keeps its colour from chart to chart).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d")
TOOL_COLOURS = {"aws-service": "#9aa5b1", "terraform": "#7b42bc", "opentofu": "#ffda18", "console": "#ff9900",
                "aws-cli": "#1f77b4", "cloudformation": "#e7157b", "cdk": "#2ca02c", "boto3": "#17becf",
                "pulumi": "#8a3391", "stratus-red-team": "#d62728", "other": "#c7ccd1", "unknown": "#e1e4e8"}
COST_COLOUR = "#c2410c"
UNLINKED_KEYS = frozenset({"other", "unknown"})  # a sum of many keys, or no key: no page to link to

WIDTH = 640  # viewBox units; the SVG is scaled to its box by app.css
STACK_HEIGHT, STACK_LEFT, STACK_TOP, STACK_BOTTOM, STACK_RIGHT = 250, 52, 10, 24, 8
__all__ = ["colour_of", "colours_of", "cost_by_owner", "nice_ticks", "stacked_per_day"]


def colour_of(key: str) -> str:
    return TOOL_COLOURS.get(key) or PALETTE[zlib.crc32(key.encode()) % len(PALETTE)]


def colours_of(keys: list[str]) -> dict[str, str]:
    """Each key's colour on one chart: its own (``colour_of``), or when another key of the chart already
    has that one, the next colour of the palette nobody on the chart has."""
    chosen: dict[str, str] = {}
    for key in keys:
        colour = colour_of(key)
        if key not in TOOL_COLOURS and colour in chosen.values():
            start = PALETTE.index(colour)
            free = [c for c in PALETTE[start:] + PALETTE[:start] if c not in chosen.values()]
            colour = free[0] if free else colour
        chosen[key] = colour
    return chosen


def _days(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every day from the first to the last of ``rows`` (ISO dates), days without a row included."""
    present = sorted({str(r["day"]) for r in rows})
    first, last = date.fromisoformat(present[0]), date.fromisoformat(present[-1])
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _events_href(link: str | None, key: str, day: str | None = None) -> str | None:
    """The Event History of ``key`` (as the ``link`` filter), on ``day`` when given."""
    if link is None or key in UNLINKED_KEYS:
        return None
    params = [(link, key)]
    if day is not None:
        params += [("since", day), ("until", (date.fromisoformat(day) + timedelta(days=1)).isoformat())]
    return "/events?" + urlencode(params)


def stacked_per_day(rows: Sequence[Mapping[str, Any]], title: str, value: str = "events",
                    link: str | None = None) -> Markup | None:
    """A stacked bar per day and key from ``[{"day", "key", value}]`` rows, the biggest key at the bottom
    (``other`` on top); each part links to that day's events of that key when ``link`` names the Event
    History filter the keys are values of (``tool``, ``username``). None when there are no rows."""
    if not rows:
        return None
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["key"]] = totals.get(r["key"], 0) + r[value]
    keys = sorted(totals, key=lambda k: (k == "other", -totals[k], k))
    cells = {(str(r["day"]), r["key"]): r[value] for r in rows}
    days = _days(rows)
    label = f"{title}, {days[0]} to {days[-1]}: {sum(totals.values()):,} {value}"
    svg = _svg(title, STACK_HEIGHT, label, linked=False)
    top = max(sum(cells.get((d, k), 0) for k in keys) for d in days)
    scale = _value_axis(svg, nice_ticks(top))
    _day_axis(svg, days)
    bars = _el(svg, "g", class_="bars")
    slot = (WIDTH - STACK_LEFT - STACK_RIGHT) / len(days)
    colours = colours_of(keys)
    for i, day in enumerate(days):
        parts = [(k, cells[(day, k)], colours[k]) for k in keys if cells.get((day, k))]
        _day_bar(bars, day, parts, STACK_LEFT + i * slot, slot, scale, value, link)
    return _figure(title, svg, _legend(colours, totals, value, link))


def _value_axis(svg: ET.Element, ticks: list[float]) -> Callable[[float], float]:
    """Grid lines and labels of the vertical axis; the function from a value to its height."""
    plot_height = STACK_HEIGHT - STACK_TOP - STACK_BOTTOM
    axis = _el(svg, "g", class_="axis", aria_hidden="true")
    for tick in ticks:
        y = STACK_HEIGHT - STACK_BOTTOM - plot_height * tick / ticks[-1]
        _el(axis, "line", x1=STACK_LEFT, x2=WIDTH - STACK_RIGHT, y1=y, y2=y)
        _el(axis, "text", _number(tick), x=STACK_LEFT - 6, y=y + 4, text_anchor="end")
    return lambda v: plot_height * v / ticks[-1]


def _day_axis(svg: ET.Element, days: list[str]) -> None:
    """About six day labels under the bars."""
    axis = _el(svg, "g", class_="axis", aria_hidden="true")
    slot = (WIDTH - STACK_LEFT - STACK_RIGHT) / len(days)
    step = math.ceil(len(days) / 6)
    for i in range(0, len(days), step):
        x = min(max(STACK_LEFT + (i + 0.5) * slot, STACK_LEFT + 30), WIDTH - 34)
        _el(axis, "text", days[i], x=x, y=STACK_HEIGHT - 6, text_anchor="middle")


def _day_bar(bars: ET.Element, day: str, parts: list[tuple[str, int, str]], x: float, slot: float,
             scale: Callable[[float], float], value: str, link: str | None) -> None:
    """One day's stack of parts (key, count, colour), each with its tooltip and link."""
    width = slot * 0.8 if slot >= 4 else slot
    y = float(STACK_HEIGHT - STACK_BOTTOM)
    for key, count, colour in parts:
        height = scale(count)
        y -= height
        href = _events_href(link, key, day)
        holder = bars if href is None else _el(bars, "a", href=href, tabindex="-1")
        rect = _el(holder, "rect", x=x + (slot - width) / 2, y=y, width=width, height=height, fill=colour,
                   class_="bar", data_key=key, data_day=day, data_value=count)
        _el(rect, "title", f"{day} · {key}: {count:,} {value}")


def _legend(colours: dict[str, str], totals: dict[str, int], value: str, link: str | None) -> ET.Element:
    """The keys with their colours and totals, as text (each a link to its events when ``link``)."""
    legend = _el(None, "ul", class_="chart-legend")
    for key, colour in colours.items():
        item = _el(legend, "li")
        swatch = _el(item, "svg", viewBox="0 0 10 10", class_="swatch", aria_hidden="true")
        _el(swatch, "rect", width=10, height=10, fill=colour)
        href = _events_href(link, key)
        name = _el(item, "a" if href else "span", key, href=href, class_="key")
        name.tail = " "
        _el(item, "span", f"{totals[key]:,} {value}", class_="muted")
    return legend


def _inventory_href(owner: str) -> str | None:
    return None if owner in UNLINKED_KEYS else "/inventory?" + urlencode({"owner": owner})


def cost_by_owner(groups: Sequence[Mapping[str, Any]], title: str = "Estimated monthly cost by owner (USD)") -> Markup | None:
    """A horizontal bar per owner from inventory ``group(..., "owner")`` rows, costliest on top, each
    linking to the owner's inventory. Owners without a price are left out (never drawn as $0); None
    when no owner has one."""
    priced = sorted((g for g in groups if g["usd_per_month"]), key=lambda g: (-g["usd_per_month"], str(g["key"])))
    if not priced:
        return None
    bars = [Bar(str(g["key"]), g["usd_per_month"], f"{g['key']}: {usd(g['usd_per_month'])} per month",
                _inventory_href(str(g["key"]))) for g in priced]
    return horizontal_bars(bars, title, COST_COLOUR, usd, lambda tick: "$" + _number(tick))
