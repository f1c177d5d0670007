"""Typed configuration from one TOML file (``newswatch.toml``).

Unknown keys are rejected with their path and line; secrets can come from the environment:
``NEWSWATCH_BUS__URL`` sets ``[bus] url`` and ``NEWSWATCH_CHANNELS__OPS_MAIL__PASSWORD`` sets
``password`` of the channel named ``ops-mail`` (array items are addressed by name or id).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator

from newswatch.config.base import ConfigError, StrictModel, key_path, locate
from newswatch.config.bus import BusConfig
from newswatch.config.channels import ChannelConfig
from newswatch.config.classifier import ClassifierConfig
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig
from newswatch.config.routing import AlertSettings, RouteConfig
from newswatch.config.service import ServiceConfig
from newswatch.config.watches import WatchConfig

__all__ = ["Config", "ConfigError", "load_config", "parse_config"]

ENV_PREFIX = "NEWSWATCH_"


class Config(StrictModel):
    service: ServiceConfig = ServiceConfig()
    bus: BusConfig = BusConfig()
    feeds: list[FeedConfig] = []
    watches: list[WatchConfig] = []
    channels: list[ChannelConfig] = []
    routes: list[RouteConfig] = []
    alerts: AlertSettings = AlertSettings()
    collect: CollectConfig = CollectConfig()
    classifier: ClassifierConfig = ClassifierConfig()

    @model_validator(mode="after")
    def _cross_references(self) -> Config:
        problems = []
        for table, items, attr in (
            ("feeds", self.feeds, "id"),
            ("watches", self.watches, "name"),
            ("channels", self.channels, "name"),
            ("routes", self.routes, "name"),
        ):
            seen: set[str] = set()
            for i, item in enumerate(items):
                value = getattr(item, attr)
                if value in seen:
                    problems.append(f"{table}[{i}].{attr}: duplicate {attr} {value!r}")
                seen.add(value)
        names = {c.name for c in self.channels}
        for i, watch in enumerate(self.watches):
            for j, ch in enumerate(watch.channels):
                if ch not in names:
                    problems.append(f"watches[{i}].channels[{j}]: no channel named {ch!r}")
        for i, route in enumerate(self.routes):
            for j, ch in enumerate(route.channels):
                if ch not in names:
                    problems.append(f"routes[{i}].channels[{j}]: no channel named {ch!r}")
        for j, ch in enumerate(self.alerts.feed_health_channels):
            if ch not in names:
                problems.append(f"alerts.feed_health_channels[{j}]: no channel named {ch!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def bus_url(self) -> str:
        return self.bus.url or f"sqlite:///{Path(self.service.data_dir).resolve()}/bus.db"

    def data_path(self, *parts: str) -> Path:
        from newswatch.storage import private_dir

        path = Path(self.service.data_dir).joinpath(*parts)
        private_dir(path.parent)
        return path


def _slug(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", value.upper())


def apply_env(raw: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Overlay ``NEWSWATCH_A__B__C=value`` onto ``raw`` (array items matched by name/id)."""
    for var, value in sorted(environ.items()):
        if not var.startswith(ENV_PREFIX) or "__" not in var:
            continue
        parts = var[len(ENV_PREFIX) :].lower().split("__")
        node: Any = raw
        for part in parts[:-1]:
            if isinstance(node, list):
                node = next(
                    (i for i in node if _slug(str(i.get("name", i.get("id", "")))) == part.upper()),
                    None,
                )
                if node is None:
                    raise ConfigError([f"{var}: no item named {part!r} to override"])
            else:
                node = node.setdefault(
                    part, {} if part not in ("feeds", "watches", "channels", "routes") else []
                )
        if isinstance(node, dict):
            node[parts[-1]] = value
    return raw


def parse_config(
    text: str, source: str = "<config>", environ: Mapping[str, str] | None = None
) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{source}: not valid TOML: {exc}"]) from exc
    raw = apply_env(raw, os.environ if environ is None else environ)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not str(p).startswith("function-")]
            line = locate(text, loc)
            where = f"{source}:{line}" if line else source
            what = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            path = key_path(loc) or "(top level)"
            problems.append(f"{where}: {path}: {what}")
        raise ConfigError(problems) from None


def load_config(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{p}: cannot read config: {exc.strerror}"]) from exc
    return parse_config(text, str(p), environ)
