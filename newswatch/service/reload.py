"""Hot reload: notice edits of the config file, validate them, and say which stages they touch.

The file is polled (size, mtime and a content hash, so an editor's atomic rename and a
Kubernetes ConfigMap's symlink swap both count) and SIGHUP forces a check. An edit that does not
validate is rejected with every problem in one log line; the running configuration stays.
``[service]`` and ``[bus]`` are read once at start: edits there are reported, not applied.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from newswatch import metrics
from newswatch.config import Config, ConfigError, load_config

log = logging.getLogger("newswatch.service.reload")

# Which stages must be rebuilt when a section changes. A section not listed here (added by a
# later feature) rebuilds every stage, which is always safe.
SECTION_STAGES: dict[str, frozenset[str]] = {
    "feeds": frozenset({"collect"}),
    "collect": frozenset({"collect"}),
    "watches": frozenset({"classify", "alert"}),
    "classifier": frozenset({"classify"}),
    "groups": frozenset({"classify"}),
    "channels": frozenset({"alert"}),
    "routes": frozenset({"alert"}),
    "alerts": frozenset({"alert"}),
    "ui": frozenset({"alert"}),  # the alert stage renders feedback links; the UI reads it live
}
RESTART_ONLY = frozenset({"service", "bus"})


def changed_sections(old: Config, new: Config) -> set[str]:
    return {name for name in type(old).model_fields if getattr(old, name) != getattr(new, name)}


def stages_to_rebuild(sections: Iterable[str], running: Iterable[str]) -> set[str]:
    running = set(running)
    out: set[str] = set()
    for section in sections:
        if section in RESTART_ONLY:
            continue
        out |= SECTION_STAGES.get(section, frozenset(running))
    return out & running


class ConfigWatcher:
    """Tracks one config file; ``check()`` returns a new valid Config when it changed."""

    def __init__(self, path: str | os.PathLike[str], current: Config,
                 load: Callable[[str], Config] | None = None):
        self.path = Path(path)
        self.current = current  # as loaded from the file (before command-line overrides)
        self._load = load or (lambda p: load_config(p))  # the service passes app.load
        self._fingerprint = self._read_fingerprint()

    def _read_fingerprint(self) -> tuple[int, int, str] | None:
        try:
            st = os.stat(self.path)
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size, digest

    def changed(self) -> bool:
        fp = self._read_fingerprint()
        if fp is None or fp == self._fingerprint:
            return False
        # A new mtime with the same content (touch, or SIGHUP's forced check) is not an edit.
        old_digest = self._fingerprint[2] if self._fingerprint else None
        self._fingerprint = fp
        return fp[2] != old_digest

    def check(self, force: bool = False) -> Config | None:
        """The new config if the file changed (or ``force``) and validates; else None."""
        if not self.changed() and not force:
            return None
        try:
            new = self._load(str(self.path))
        except ConfigError as exc:
            metrics.CONFIG_RELOADS.labels("rejected").inc()
            log.error(
                "config reload rejected, keeping the previous configuration: %s",
                " | ".join(exc.problems),
            )
            return None
        sections = changed_sections(self.current, new)
        if not sections:
            if force:
                log.info("config reload: %s unchanged", self.path)
            return None
        ignored = sorted(sections & RESTART_ONLY)
        if ignored:
            log.warning(
                "config reload: changes to [%s] take effect only after a restart",
                "], [".join(ignored),
            )
        self.current = new
        return new
