"""`serve`: the web UI on the store (read-only), on localhost unless given a token."""

from __future__ import annotations

from typing import Optional

import typer

from cloudblame.cli.common import DbOption, open_store
from cloudblame.cli.output import say
from cloudblame.store import default_db_path

TokenOption = typer.Option(None, "--token", envvar="CLOUDBLAME_TOKEN", show_envvar=True,
                           help="Required on every request (Bearer header or ?token= once); needed off localhost.")


def check_binding(host: str, token: str | None) -> None:
    """Binding beyond loopback without a token would open the store to the network: refuse."""
    from cloudblame.web.security import is_loopback

    if not is_loopback(host) and not token:
        say(f"error: serving on {host} (beyond this machine) needs --token or CLOUDBLAME_TOKEN", style="red", err=True)
        raise typer.Exit(2)


def serve(
    db: Optional[str] = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (beyond localhost needs --token)."),
    port: int = typer.Option(8321, "--port", help="Port to listen on."),
    token: Optional[str] = TokenOption,
) -> None:
    """Web UI: event history, events, resources, people, forgotten resources and charts, with a JSON API."""
    import uvicorn

    from cloudblame.web import create_app

    check_binding(host, token)
    path = db or default_db_path()
    with open_store(path, read_only=True, wait=5.0):
        pass  # fail now, clearly, if there is no usable store
    shown = f"[{host}]" if ":" in host else host
    say(f"cloudblame serving {path} (read-only) at http://{shown}:{port}/  (API: /api, documented at /docs)",
        style="bold")
    if token:
        say(f"token required on every request: header `Authorization: Bearer <token>`, or open "
            f"http://{shown}:{port}/?token=<token> once in a browser (sets a cookie)")
    say("Ctrl-C to stop.", style="dim")
    uvicorn.run(create_app(path, token=token), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
