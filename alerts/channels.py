"""Channel factory: the URL scheme picks the implementation."""

from __future__ import annotations

from alerts.base import Channel
from alerts.console import ConsoleChannel, FileChannel
from newswatch.config.channels import ChannelConfig


def open_channel(config: ChannelConfig) -> Channel:
    scheme, _, rest = config.url.partition("://")
    if scheme == "console":
        return ConsoleChannel(config.name)
    if scheme == "file":
        return FileChannel(config.name, rest)
    raise ValueError(f"channels: {config.name}: unsupported scheme {scheme!r}")
