"""The bundled sample config and feeds (fictional, written by us)."""

from __future__ import annotations

from importlib import resources

SOURCE = "<bundled sample>"


def config_text() -> str:
    """``newswatch.toml``: what commands read when no config file is named or found."""
    return resources.files(__name__).joinpath("newswatch.toml").read_text("utf-8")
