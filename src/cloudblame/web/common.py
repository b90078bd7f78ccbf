"""What every view shares: the store opened read-only for one request, JSON responses shaped like the
CLI's `--format json`, and HTML rendering (Jinja2 with autoescape on, strict undefined)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import JsonLexer

from cloudblame.core.money import usd, usd_total
from cloudblame.store import Store
from cloudblame.web.assets import static_url
from cloudblame.web.forms import inventory_href


class Snapshots:
    """The server's reader of its store, moved to each new published snapshot as it appears (a request
    notices one by a look at the snapshots table's log: no read of the tables). Each request reads on a
    cursor of its own, on the snapshot that was newest when it began, however long it takes."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.store: Store | None = None
        self.version = -2

    def reader(self) -> Store:
        with self.lock:
            if self.store is None or self.store.lake.snapshot_version() != self.version:
                store = Store.open(self.path, read_only=True)
                self.store, self.version = store, store.lake.snapshot_version()  # the old one: closed when unused
            return self.store.reader()


def request_store(request: Request) -> Iterator[Store]:
    """A reader for this request: the newest published snapshot (readers never wait for writers)."""
    store = request.app.state.snapshots.reader()
    try:
        yield store
    finally:
        store.close()


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dump_json(data: Any, *, indent: bool = False) -> bytes:
    """The CLI's JSON (orjson, non-string keys allowed)."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    return orjson.dumps(data, option=option, default=_json_default)


def json_response(data: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dump_json(data), status_code=status_code, media_type="application/json", headers=headers)


def highlight_json(data: Any) -> Markup:
    """``data`` pretty-printed and highlighted on the server: Pygments escapes every token and marks
    it with a class (styled by app.css); no inline style."""
    text = dump_json(data, indent=True).decode()
    return Markup(highlight(text, JsonLexer(), HtmlFormatter(nowrap=True)))


def path_part(value: Any) -> str:
    """A value as one URL path segment (slashes kept: ids and ARNs use them; routes take ``:path``)."""
    return quote(str(value), safe="/@:")


def short_source(value: str | None) -> str:
    return (value or "").removesuffix(".amazonaws.com")


def age(time: str | None, anchor: str | None) -> str:
    """How long before ``anchor`` (the newest stored event) ``time`` was, both ISO: "3 days", "5 hours"."""
    if not time or not anchor:
        return ""
    seconds = (datetime.fromisoformat(anchor) - datetime.fromisoformat(time)).total_seconds()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n:,} {unit}{'' if n == 1 else 's'}"
    return "under a minute"


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cloudblame.web", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(path=path_part, usd=usd, usd_total=usd_total, short_source=short_source, query=urlencode,
                       age=age)
    env.globals["static_url"] = static_url
    env.globals["inventory_url"] = inventory_href
    return env


TEMPLATES = _environment()


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with ``context`` (every value escaped unless a view made it Markup itself)."""
    html = TEMPLATES.get_template(template).render(request=request, path=request.url.path, **context)
    return HTMLResponse(html, status_code=status_code)


def is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith(("/api/", "/openapi.json"))
