"""The web face: `cloudblame serve`. Thin views over the same library calls as the CLI: open the store
read-only for the request, call the query, render HTML (Jinja2, autoescaped) or return its JSON."""

from cloudblame.web.app import create_app

__all__ = ["create_app"]
