"""What the collect stage would reject in a config, found without starting it."""

from __future__ import annotations

from newswatch.config import Config
from newswatch.config.problems import Problem


def check_config(config: Config) -> list[Problem]:
    if config.collect.sharded and not config.bus_url().startswith("kafka://"):
        return [Problem(("collect", "sharded"), "needs a kafka:// bus url ([bus] url); the "
                        "embedded bus keeps one collect process")]
    return []
