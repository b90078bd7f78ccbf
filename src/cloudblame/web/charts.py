"""Charts built on the server from query results: plotly figures as JSON, drawn in the browser by the
plotly.js of the installed plotly package (served locally, so they work offline)."""

from __future__ import annotations

import zlib

import plotly.graph_objects as go

_LAYOUT = dict(
    template="none", barmode="stack", height=320, margin=dict(l=50, r=20, t=40, b=40),
    font=dict(family="system-ui, sans-serif", size=12), legend=dict(orientation="h", y=-0.2),
    paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
)


# One colour per key on every chart (a tool or a person keeps its colour from chart to chart).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d")
TOOL_COLOURS = {"aws-service": "#9aa5b1", "terraform": "#7b42bc", "opentofu": "#ffda18", "console": "#ff9900",
                "aws-cli": "#1f77b4", "cloudformation": "#e7157b", "cdk": "#2ca02c", "boto3": "#17becf",
                "pulumi": "#8a3391", "stratus-red-team": "#d62728", "other": "#c7ccd1", "unknown": "#e1e4e8"}


def colour_of(key: str) -> str:
    return TOOL_COLOURS.get(key) or PALETTE[zlib.crc32(key.encode()) % len(PALETTE)]


def _figure(title: str, traces: list, **layout) -> str:
    fig = go.Figure(data=traces)
    fig.update_layout(title=dict(text=title, x=0), **{**_LAYOUT, **layout})
    return fig.to_json()


def stacked_per_day(rows: list[dict], title: str, value: str = "events") -> str | None:
    """A stacked bar per day and key from ``[{"day", "key", value}]`` rows; None when there are none."""
    if not rows:
        return None
    days = sorted({r["day"] for r in rows})
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["key"]] = totals.get(r["key"], 0) + r[value]
    keys = sorted(totals, key=lambda k: (k == "other", -totals[k], k))
    cells = {(r["day"], r["key"]): r[value] for r in rows}
    traces = [go.Bar(name=key, x=days, y=[cells.get((d, key), 0) for d in days], marker=dict(color=colour_of(key)))
              for key in keys]
    return _figure(title, traces, yaxis=dict(title=dict(text=value)))


def cost_by_owner(groups: list[dict], title: str = "Estimated monthly cost by owner (USD)") -> str | None:
    """A horizontal bar per owner from inventory ``group(..., "owner")`` rows (priced owners only)."""
    priced = [g for g in groups if g["usd_per_month"]]
    if not priced:
        return None
    priced = sorted(priced, key=lambda g: g["usd_per_month"])
    trace = go.Bar(x=[g["usd_per_month"] for g in priced], y=[str(g["key"]) for g in priced], orientation="h",
                   text=[f"${g['usd_per_month']:,.2f}" for g in priced], textposition="auto",
                   marker=dict(color="#c2410c"))
    return _figure(title, [trace], height=max(220, 60 + 34 * len(priced)), showlegend=False,
                   yaxis=dict(automargin=True), xaxis=dict(title=dict(text="USD / month")))
