"""``[service]``: process settings: state directory, logs, HTTP endpoint, shutdown, reload."""

from __future__ import annotations

from pydantic import Field, field_validator

from newswatch.config.base import StrictModel

DEFAULT_HTTP_PORT = 8470


class ServiceConfig(StrictModel):
    # Where the embedded bus, seen-store, feed state and delivery ledger live.
    data_dir: str = "var/newswatch"
    log_level: str = Field("INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    # "text" (one human-readable line) or "json" (one object a line, for log shippers).
    log_format: str = Field("text", pattern=r"^(text|json)$")
    # /healthz, /readyz and /metrics. Loopback by default; "0.0.0.0:8470" in a container.
    http_listen: str = f"127.0.0.1:{DEFAULT_HTTP_PORT}"
    http_enabled: bool = True
    # On SIGTERM/SIGINT: how long stages may take to finish their batch and commit.
    shutdown_timeout_secs: float = Field(30.0, gt=0, le=3600)
    # Apply edits of the config file (feeds, watches, channels, ...) without a restart.
    reload: bool = True
    reload_check_secs: float = Field(2.0, gt=0, le=3600)
    # /healthz fails while a stage has failed (and been restarted) this many times within
    # unhealthy_window_secs: a crash loop is not healthy, whatever the process does.
    unhealthy_restarts: int = Field(5, ge=1)
    unhealthy_window_secs: float = Field(600.0, gt=0)
    # A failed stage is restarted after 2, 4, 8 ... 60 s; once it has run this long without
    # failing, the next failure starts again at 2 s (a broker blip is not a crash loop).
    restart_reset_secs: float = Field(60.0, gt=0)

    @field_validator("http_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        split_listen(value)
        return value


def split_listen(value: str) -> tuple[str, int]:
    """``"127.0.0.1:8470"`` -> ``("127.0.0.1", 8470)``; ``"[::1]:8470"`` works too."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"expected HOST:PORT (e.g. 127.0.0.1:{DEFAULT_HTTP_PORT}), got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)
