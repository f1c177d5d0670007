"""What the alert stage would reject in a config, found without starting it: each channel is
opened (and closed) by the factory the stage uses, which reads secret and template files,
compiles templates and sets up TLS, all without sending anything."""

from __future__ import annotations

from newswatch.config import Config
from newswatch.config.channels import ChannelConfig
from newswatch.config.problems import Problem


def _redact(text: str, config: ChannelConfig) -> str:
    try:
        secrets = config.secrets()
    except OSError:
        secrets = []
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def check_config(config: Config) -> list[Problem]:
    from alerts.channels import open_channel
    from alerts.router import build_routes

    problems = []
    for i, channel_config in enumerate(config.channels):
        try:
            channel = open_channel(channel_config)
        except Exception as exc:
            why = _redact(str(exc), channel_config)
            problems.append(Problem(("channels", i),
                                    f"channel {channel_config.name!r} cannot be opened: {why}"))
            continue
        try:
            channel.close()
        except Exception as exc:
            problems.append(Problem(("channels", i),
                                    f"channel {channel_config.name!r}: close failed: {exc}"))
    try:
        build_routes(config)
    except Exception as exc:
        problems.append(Problem(("routes",), f"routes cannot be built: {exc}"))
    return problems
