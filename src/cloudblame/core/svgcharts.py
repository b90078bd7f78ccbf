"""SVG charts drawn from numbers, for any face or report: the elements, their safe markup and a chart of
horizontal bars (a label, an amount, an optional link each). Built as an ElementTree and written by
``markup``, which escapes every value as text or attribute (record values are untrusted). No script and
no style: colours are presentation attributes (``fill=``), everything else classes the page styles
(``chart-svg``, ``axis``, ``bars``, ``bar``, ``key``, ``amount``, ``chart-box``). web/charts.py draws
the web UI's charts with these; actions/report.py its HTML reports'."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

WIDTH = 640  # viewBox units; the SVG is scaled to its box by the page's style
TOP, BOTTOM = 10, 24
ROW, BAR_LEFT_MIN, BAR_LEFT_MAX, VALUE_ROOM, CHAR_WIDTH = 26, 60, 230, 80, 6.6
ELLIPSIS = "…"


def element(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    """An element (``class_`` for class, ``aria_label`` for aria-label); numbers rounded to 0.1."""
    values = {name.rstrip("_").replace("_", "-"): _attr(value) for name, value in attrs.items() if value is not None}
    made = ET.Element(tag, values) if parent is None else ET.SubElement(parent, tag, values)
    made.text = text
    return made


def _attr(value: Any) -> str:
    return f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)


def markup(root: ET.Element) -> Markup:
    """The element as markup that HTML and XML parse alike: every end tag written (``<rect></rect>``),
    every text and attribute value escaped, quotes included."""
    attrs = Markup("").join(Markup(' {}="{}"').format(name, value) for name, value in root.attrib.items())
    inner = Markup("").join(markup(child) + escape(child.tail or "") for child in root)
    return Markup("<{0}{1}>{2}{3}</{0}>").format(root.tag, attrs, escape(root.text or ""), inner)


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Axis ticks from 0 past ``top`` in steps of 1, 2 or 5 times a power of ten (about ``count``)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def number_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def shorten(text: str, room: float) -> str:
    """``text`` cut with an ellipsis to fit ``room`` units of width (the full text is in a tooltip)."""
    fits = max(3, int(room / CHAR_WIDTH))
    return text if len(text) <= fits else text[:fits - 1] + ELLIPSIS


def svg_root(title: str, height: float, label: str, *, linked: bool) -> ET.Element:
    """The chart's root: an image for assistive technology unless its bars are links to follow."""
    svg = element(None, "svg", viewBox=f"0 0 {WIDTH} {height:.0f}", class_="chart-svg",
                  role="group" if linked else "img", aria_label=label)
    element(svg, "title", title)
    return svg


def figure(title: str, svg: ET.Element, legend: ET.Element | None = None) -> Markup:
    box = element(None, "figure", class_="chart-box")
    element(box, "figcaption", title)
    box.append(svg)
    if legend is not None:
        box.append(legend)
    return markup(box)


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, its amount, what its tooltip says, and where it links (None: nowhere)."""
    label: str
    amount: float
    said: str
    href: str | None = None


def horizontal_bars(bars: Sequence[Bar], title: str, colour: str, amount_text: Callable[[float], str],
                    tick_text: Callable[[float], str] = number_text) -> Markup | None:
    """A bar per item, in the order given, scaled to the largest amount (none below 0), each with its
    label, tooltip, amount as text and link; None when there is none."""
    if not bars:
        return None
    left = min(max(max(len(b.label) for b in bars) * CHAR_WIDTH + 10, BAR_LEFT_MIN), BAR_LEFT_MAX)
    height = TOP + ROW * len(bars) + BOTTOM
    svg = svg_root(title, height, title, linked=any(b.href for b in bars))
    ticks = nice_ticks(max(b.amount for b in bars))
    room = WIDTH - left - VALUE_ROOM
    axis = element(svg, "g", class_="axis", aria_hidden="true")
    for tick in ticks:
        x = left + room * tick / ticks[-1]
        element(axis, "line", x1=x, x2=x, y1=TOP, y2=height - BOTTOM)
        element(axis, "text", tick_text(tick), x=x, y=height - 6, text_anchor="middle")
    drawn = element(svg, "g", class_="bars")
    for i, bar in enumerate(bars):
        _bar(drawn, bar, TOP + i * ROW, left, room * max(bar.amount, 0.0) / ticks[-1], colour, amount_text)
    return figure(title, svg)


def _bar(bars: ET.Element, bar: Bar, y: float, left: float, width: float, colour: str,
         amount_text: Callable[[float], str]) -> None:
    """One row: the label, the bar (a link when it has one) and the amount."""
    holder = bars if bar.href is None else element(bars, "a", href=bar.href, aria_label=bar.said)
    rect = element(holder, "rect", x=left, y=y + 4, width=max(width, 1.0), height=ROW - 8, fill=colour,
                   class_="bar", data_key=bar.label, data_value=f"{bar.amount:.2f}")
    element(rect, "title", bar.said)
    element(bars, "text", shorten(bar.label, left - 10), x=left - 8, y=y + ROW / 2 + 4, text_anchor="end",
            class_="key", aria_hidden="true")
    element(bars, "text", amount_text(bar.amount), x=left + width + 6, y=y + ROW / 2 + 4, class_="amount",
            aria_hidden="true")


SERIES_HEIGHT, SERIES_LEFT, SERIES_RIGHT = 220, 44, 8


@dataclass(frozen=True)
class Point:
    """One step of a series (a minute): its label, count, the baseline it was judged against (None: not
    known for it), what its tooltip says, and whether it lies inside what the chart is about."""
    label: str
    count: float
    baseline: float | None
    said: str
    inside: bool = False


def series_bars(points: Sequence[Point], title: str, label: str, colours: tuple[str, str, str],
                reference: float | None = None) -> Markup | None:
    """A bar per point (``colours``: outside, inside, baseline) on a shared value axis, the points' own
    baselines drawn as a line over the bars where known, and ``reference`` (a mean baseline) as a dashed
    horizontal line; about six labels under the bars. None when there is no point."""
    if not points:
        return None
    top = max([p.count for p in points] + [p.baseline or 0.0 for p in points] + [reference or 0.0])
    ticks = nice_ticks(top)
    plot = SERIES_HEIGHT - TOP - BOTTOM
    svg = svg_root(title, SERIES_HEIGHT, label, linked=False)

    def y(value: float) -> float:
        return SERIES_HEIGHT - BOTTOM - plot * value / ticks[-1]

    axis = element(svg, "g", class_="axis", aria_hidden="true")
    for tick in ticks:
        element(axis, "line", x1=SERIES_LEFT, x2=WIDTH - SERIES_RIGHT, y1=y(tick), y2=y(tick))
        element(axis, "text", number_text(tick), x=SERIES_LEFT - 6, y=y(tick) + 4, text_anchor="end")
    slot = (WIDTH - SERIES_LEFT - SERIES_RIGHT) / len(points)
    step = math.ceil(len(points) / 6)
    for i in range(0, len(points), step):
        x = min(max(SERIES_LEFT + (i + 0.5) * slot, SERIES_LEFT + 16), WIDTH - 20)
        element(axis, "text", points[i].label, x=x, y=SERIES_HEIGHT - 6, text_anchor="middle")
    _series_bars(element(svg, "g", class_="bars"), points, slot, y, colours[:2])
    _baselines(svg, points, slot, y, colours[2], reference)
    return figure(title, svg)


def _series_bars(bars: ET.Element, points: Sequence[Point], slot: float, y: Callable[[float], float],
                 colours: tuple[str, str]) -> None:
    width = slot * 0.8 if slot >= 4 else slot
    for i, p in enumerate(points):
        rect = element(bars, "rect", x=SERIES_LEFT + i * slot + (slot - width) / 2, y=y(p.count), width=width,
                       height=y(0) - y(p.count), fill=colours[1] if p.inside else colours[0],
                       class_="bar", data_key=p.label, data_value=p.count, data_inside="true" if p.inside else None)
        element(rect, "title", p.said)


def _baselines(svg: ET.Element, points: Sequence[Point], slot: float, y: Callable[[float], float], colour: str,
               reference: float | None) -> None:
    """The points' baselines as a step line across their slots (broken where one is not known) and the
    reference as a dashed one."""
    drawn = element(svg, "g", class_="baseline")
    run: list[str] = []
    for i, p in enumerate([*points, None]):
        if p is not None and p.baseline is not None:
            level = y(p.baseline)
            run += [f"{SERIES_LEFT + i * slot:.1f},{level:.1f}", f"{SERIES_LEFT + (i + 1) * slot:.1f},{level:.1f}"]
        elif run:
            element(drawn, "polyline", points=" ".join(run), fill="none", stroke=colour, stroke_width=2)
            run = []
    if reference is not None:
        line = element(drawn, "line", x1=SERIES_LEFT, x2=WIDTH - SERIES_RIGHT, y1=y(reference), y2=y(reference),
                       stroke=colour, stroke_width=1.5, stroke_dasharray="5 4", class_="reference")
        element(line, "title", f"baseline: {number_text(reference)} per minute")
