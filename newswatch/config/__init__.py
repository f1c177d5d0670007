"""Typed configuration from one TOML file (``newswatch.toml``).

Unknown keys are rejected with their path and line; secrets can come from the environment:
``NEWSWATCH_BUS__URL`` sets ``[bus] url`` and ``NEWSWATCH_CHANNELS__OPS_MAIL__PASSWORD`` sets
``password`` of the channel named ``ops-mail`` (array items are addressed by name or id).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator

from newswatch.config.base import ConfigError, StrictModel, key_path, locate
from newswatch.config.bus import BusConfig
from newswatch.config.channels import ChannelConfig
from newswatch.config.classifier import ClassifierConfig
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig
from newswatch.config.groups import GroupConfig
from newswatch.config.paths import resolve_paths
from newswatch.config.problems import Check, Problem, located, run_checks
from newswatch.config.routing import AlertSettings, RouteConfig
from newswatch.config.service import ServiceConfig
from newswatch.config.ui import UiConfig
from newswatch.config.watches import WatchConfig

__all__ = ["Check", "Config", "ConfigError", "Problem", "load_config", "parse_config"]

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
    groups: list[GroupConfig] = []
    ui: UiConfig = UiConfig()

    @model_validator(mode="before")
    @classmethod
    def _feed_health_default(cls, raw: Any) -> Any:
        """Unset ``[alerts] feed_health_channels`` means every channel of the watches, so a
        failing feed is never silent; ``[]`` turns the notices off (they are still logged)."""
        alerts = raw.get("alerts", {}) if isinstance(raw, dict) else None
        if not isinstance(alerts, dict) or "feed_health_channels" in alerts:
            return raw
        defined = {c.get("name") for c in _dicts(raw.get("channels"))}
        names = [ch for w in _dicts(raw.get("watches")) for ch in _list(w.get("channels"))]
        default = [n for n in dict.fromkeys(names) if n in defined]
        return {**raw, "alerts": {**alerts, "feed_health_channels": default}}

    def bus_url(self) -> str:
        return self.bus.url or f"sqlite:///{Path(self.service.data_dir).resolve()}/bus.db"

    def data_path(self, *parts: str) -> Path:
        from newswatch.storage import private_dir

        path = Path(self.service.data_dir).joinpath(*parts)
        private_dir(path.parent)
        return path


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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
                    part,
                    {} if part not in ("feeds", "watches", "channels", "routes", "groups") else [],
                )
        if isinstance(node, dict):
            node[parts[-1]] = value
    return raw


def parse_config(
    text: str,
    source: str = "<config>",
    environ: Mapping[str, str] | None = None,
    *,
    base_dir: str | os.PathLike[str] | None = None,
    checks: Sequence[Check] = (),
) -> Config:
    """Validate ``text``: the schema, then references between tables and ``checks`` (the
    stages' own: labels, groups, channels), every problem as ``source:LINE: key.path: why``.
    Relative paths in the file (``data_dir``, ``*_file``, ...) are taken from ``base_dir``."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{source}: not valid TOML: {exc}"]) from exc
    raw = apply_env(raw, os.environ if environ is None else environ)
    if base_dir is not None:
        raw = resolve_paths(raw, Path(base_dir))
    try:
        config = Config.model_validate(raw)
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
    found = run_checks(config, checks)
    if found:
        lines = [(locate(text, p.loc) or 0, located(p, text, source)) for p in found]
        raise ConfigError([msg for _, msg in sorted(lines, key=lambda x: x[0])])
    return config


def load_config(
    path: str | os.PathLike[str],
    environ: Mapping[str, str] | None = None,
    *,
    checks: Sequence[Check] = (),
) -> Config:
    """Load a config file; its relative paths are resolved against the file's folder."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{p}: cannot read config: {exc.strerror}"]) from exc
    return parse_config(text, str(p), environ, base_dir=p.resolve().parent, checks=checks)
