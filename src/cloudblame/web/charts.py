"""Charts drawn on the server as SVG from query rows: stacked bars per day and key, horizontal bars of
cost by owner. No script and no style: colours are SVG presentation attributes (``fill=``), everything
else classes styled by app.css, so the strict Content-Security-Policy holds. The chart is built as an
ElementTree and written by ``_markup``, which escapes every record value as text or attribute. Each bar has a ``<title>`` tooltip and a
link (the events of that day and key, the owner's inventory); the numbers are also given as text."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from cloudblame.core.money import usd

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
ROW, BAR_LEFT_MIN, BAR_LEFT_MAX, VALUE_ROOM, CHAR_WIDTH = 26, 60, 230, 80, 6.6
ELLIPSIS = "…"


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


def _el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    """An element (``class_`` for class, ``aria_label`` for aria-label); numbers rounded to 0.1."""
    values = {name.rstrip("_").replace("_", "-"): _attr(value) for name, value in attrs.items() if value is not None}
    element = ET.Element(tag, values) if parent is None else ET.SubElement(parent, tag, values)
    element.text = text
    return element


def _attr(value: Any) -> str:
    return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)


def _markup(element: ET.Element) -> Markup:
    """The element as markup that HTML and XML parse alike: every end tag written (``<rect></rect>``),
    every text and attribute value escaped, quotes included."""
    attrs = Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in element.attrib.items())
    inner = Markup("").join(_markup(child) + escape(child.tail or "") for child in element)
    return Markup("<{0}{1}>{2}{3}</{0}>").format(element.tag, attrs, escape(element.text or ""), inner)


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Axis ticks from 0 past ``top`` in steps of 1, 2 or 5 times a power of ten (about ``count``)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _shorten(text: str, room: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` units of width (the full text is in a tooltip)."""
    fits = max(3, int(room / CHAR_WIDTH))
    return text if len(text) <= fits else text[:fits - 1] + ELLIPSIS


def _svg(title: str, height: float, label: str, *, linked: bool) -> ET.Element:
    """The chart's root: an image for assistive technology unless its bars are links to follow."""
    svg = _el(None, "svg", viewBox=f"0 0 {WIDTH} {height:.0f}", class_="chart-svg", role="group" if linked else "img",
              aria_label=label)
    _el(svg, "title", title)
    return svg


def _figure(title: str, svg: ET.Element, legend: ET.Element | None = None) -> Markup:
    figure = _el(None, "figure", class_="chart-box")
    _el(figure, "figcaption", title)
    figure.append(svg)
    if legend is not None:
        figure.append(legend)
    return _markup(figure)


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
    names = [str(g["key"]) for g in priced]
    left = min(max(max(len(n) for n in names) * CHAR_WIDTH + 10, BAR_LEFT_MIN), BAR_LEFT_MAX)
    height = STACK_TOP + ROW * len(priced) + STACK_BOTTOM
    svg = _svg(title, height, title, linked=True)
    ticks = nice_ticks(priced[0]["usd_per_month"])
    room = WIDTH - left - VALUE_ROOM
    _cost_axis(svg, ticks, left, room, height)
    bars = _el(svg, "g", class_="bars")
    for i, (name, group) in enumerate(zip(names, priced)):
        _owner_bar(bars, name, group["usd_per_month"], STACK_TOP + i * ROW, left, room * group["usd_per_month"] / ticks[-1])
    return _figure(title, svg)


def _cost_axis(svg: ET.Element, ticks: list[float], left: float, room: float, height: float) -> None:
    axis = _el(svg, "g", class_="axis", aria_hidden="true")
    for tick in ticks:
        x = left + room * tick / ticks[-1]
        _el(axis, "line", x1=x, x2=x, y1=STACK_TOP, y2=height - STACK_BOTTOM)
        _el(axis, "text", "$" + _number(tick), x=x, y=height - 6, text_anchor="middle")


def _owner_bar(bars: ET.Element, name: str, amount: float, y: float, left: float, width: float) -> None:
    """One owner's row: the name, the bar (a link to the owner's inventory) and the amount."""
    href = _inventory_href(name)
    said = f"{name}: {usd(amount)} per month"
    holder = bars if href is None else _el(bars, "a", href=href, aria_label=said)
    rect = _el(holder, "rect", x=left, y=y + 4, width=max(width, 1.0), height=ROW - 8, fill=COST_COLOUR, class_="bar",
               data_key=name, data_value=f"{amount:.2f}")
    _el(rect, "title", said)
    _el(bars, "text", _shorten(name, left - 10), x=left - 8, y=y + ROW / 2 + 4, text_anchor="end", class_="key",
        aria_hidden="true")
    _el(bars, "text", usd(amount), x=left + width + 6, y=y + ROW / 2 + 4, class_="amount", aria_hidden="true")
