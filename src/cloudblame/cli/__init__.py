"""The command-line face: thin shells that open the store, call the library, format the result."""

from cloudblame.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
