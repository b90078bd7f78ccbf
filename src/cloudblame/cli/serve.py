"""`serve`: the web UI on the store (read-only), on localhost unless given a token."""

from __future__ import annotations

from pathlib import Path

import typer

from cloudblame.cli.common import DbOption, WaitOption, open_store
from cloudblame.cli.examples import epilog
from cloudblame.cli.output import say
from cloudblame.core.loopback import is_loopback
from cloudblame.store import default_db_path

TokenOption = typer.Option(None, "--token", envvar="CLOUDBLAME_TOKEN", show_envvar=True,
                           help="Required on every request (Bearer header or ?token= once); needed off localhost.")


def check_binding(host: str, token: str | None) -> None:
    """Binding beyond loopback without a token would open the store to the network: refuse."""
    if not is_loopback(host) and not token:
        say(f"error: serving on {host} (beyond this machine) needs --token or CLOUDBLAME_TOKEN", style="red", err=True)
        raise typer.Exit(2)


def serve(
    db: str | None = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (beyond localhost needs --token)."),
    port: int = typer.Option(8321, "--port", min=1, max=65535, help="Port to listen on."),
    token: str | None = TokenOption,
    sync: bool = typer.Option(False, "--sync", help="Pull the --config sources into the store from this server, "
                              "every --every, while it keeps answering (no separate `cloudblame sync` needed)."),
    config: Path = typer.Option(Path("cloudblame.toml"), "--config", "-c", help="With --sync: the sources."),
    every: str = typer.Option("15m", "--every", help="With --sync: how often (90s, 15m, 1h)."),
    wait: float = WaitOption,  # accepted for older scripts: readers never wait
) -> None:
    """Web UI: event history, events, resources, people, forgotten resources and charts, with a JSON API."""
    import uvicorn

    from cloudblame.web import create_app

    check_binding(host, token)
    path = db or default_db_path()
    if sync:
        _serve_and_sync(path, host, port, token, config, every, wait)
        return
    with open_store(path, read_only=True):
        pass  # fail now, clearly, if there is no usable store
    _announce(path, host, port, token, "read-only")
    uvicorn.run(create_app(path, token=token), host=host, port=port, log_level="warning")


def _serve_and_sync(path: str, host: str, port: int, token: str | None, config: Path, every: str,
                    wait: float) -> None:
    """Serve while a background thread syncs: requests read the newest published snapshot meanwhile."""
    import uvicorn

    from cloudblame.core.timeutil import parse_duration
    from cloudblame.pipeline.sync import ConfigError, SyncLoop, load_config, load_reconcile
    from cloudblame.web import create_app

    try:
        specs, _ = load_config(config)
        reconcile = load_reconcile(config)
        interval = parse_duration(every).total_seconds()
    except (ConfigError, ValueError, OSError) as exc:
        say(f"error: {exc}", style="red", err=True)
        raise typer.Exit(2) from None
    with open_store(path, read_only=False) as store:
        loop = SyncLoop(store.lake, specs, interval, reconcile).start()
    _announce(path, host, port, token, f"syncing {len(specs)} source(s) from {config} every {every}")
    try:
        uvicorn.run(create_app(path, token=token, sync=loop), host=host, port=port, log_level="warning")
    finally:
        loop.stop(timeout=60)


def _announce(path: str, host: str, port: int, token: str | None, mode: str) -> None:
    shown = f"[{host}]" if ":" in host else host
    say(f"cloudblame serving {path} ({mode}) at http://{shown}:{port}/  (API: /api, documented at /docs)",
        style="bold")
    if token:
        say(f"token required on every request: header `Authorization: Bearer <token>`, or open "
            f"http://{shown}:{port}/?token=<token> once in a browser (sets a cookie)")
    say("Ctrl-C to stop.", style="dim")


def register(app: typer.Typer) -> None:
    app.command("serve", epilog=epilog("serve"))(serve)
