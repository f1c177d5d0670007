"""Start checks that need no service process: warnings for loose permissions and unsigned
webhooks, and nothing to complain about on a fresh data directory."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from newswatch.config import parse_config
from newswatch.service import preflight


def config(tmp_path: Path, secret: str = ""):  # noqa: ANN201
    return parse_config(f"""
[service]
data_dir = "{tmp_path}/data"
[[channels]]
name = "plain"
url = "https://hooks.example.org/in"
{f'secret = "{secret}"' if secret else ""}
""", "t.toml", environ={})


def test_fresh_start_has_no_problems_or_warnings(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    assert preflight.check(config(tmp_path, "k3y-abcdef"), ["collect", "classify", "alert"]) == []
    assert caplog.records == []


def test_loose_permissions_and_unsigned_webhooks_are_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # made by an older version, or by hand
    (data / "alerts.db").touch(mode=0o644)
    os.chmod(data / "alerts.db", 0o644)
    assert preflight.check(config(tmp_path), ["alert"]) == []
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "readable by every user" in text and str(data) in text and "alerts.db" in text
    assert "channel plain: generic webhook without a secret" in text
