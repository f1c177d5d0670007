"""Channel factory: the URL scheme (and ``format``) picks the implementation; schemes not
built in go through Apprise."""

from __future__ import annotations

from alerts.base import Channel
from newswatch.config.channels import ChannelConfig


def open_channel(config: ChannelConfig) -> Channel:
    kind = config.kind
    if kind == "console":
        from alerts.console import ConsoleChannel

        return ConsoleChannel.from_config(config)
    if kind == "file":
        from alerts.console import FileChannel

        return FileChannel.from_config(config)
    if kind == "email":
        from alerts.email import EmailChannel

        return EmailChannel(config)
    if kind in ("generic", "slack", "discord", "teams"):
        from alerts.webhook import WebhookChannel

        return WebhookChannel(config)
    if kind == "apprise":
        from alerts.apprise_channel import AppriseChannel

        return AppriseChannel(config)
    raise ValueError(f"channels: {config.name}: unsupported scheme {config.scheme!r}")
