"""Not silent by default (issue 10, item 7): feed-health notices reach the watches' channels
unless told otherwise, `run` says at start what it runs on, and relative paths in a config file
mean "next to the file"."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from svc_peers import wait_for

import alerts.stage
from newswatch import serde
from newswatch.app import make_bus
from newswatch.config import load_config, parse_config
from newswatch.models import FeedStatus
from newswatch.stage import EVENTS

CONFIG = """
[service]
data_dir = "state"

[[feeds]]
id = "harbour"
url = "http://127.0.0.1:9/harbour.xml"
enabled = false

[[watches]]
name = "floods"
channels = ["desk", "log"]
[watches.keywords]
any = ["flood"]

[[watches]]
name = "storms"
channels = ["log"]
[watches.keywords]
any = ["storm"]

[[channels]]
name = "desk"
url = "file://{out}"

[[channels]]
name = "log"
url = "console://"
password_file = "hook.secret"
"""


def test_relative_paths_are_resolved_against_the_config_folder(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "hook.secret").write_text("pw-31e7\n")
    cfg = etc / "nw.toml"
    cfg.write_text(CONFIG.format(out="desk.jsonl"))
    old = Path.cwd()
    os.chdir(tmp_path)  # the file named relative to the working directory, as `-c etc/nw.toml`
    try:
        config = load_config("etc/nw.toml", environ={})
    finally:
        os.chdir(old)
    assert config.service.data_dir == str(etc / "state")
    assert config.bus_url() == f"sqlite:///{etc / 'state'}/bus.db"
    assert config.channels[1].password_file == str(etc / "hook.secret")
    env = {"NEWSWATCH_SERVICE__DATA_DIR": "other"}  # an override is read the same way
    assert load_config(cfg, environ=env).service.data_dir == str(etc / "other")


def test_feed_health_goes_to_every_watch_channel_by_default(tmp_path: Path) -> None:
    out = tmp_path / "desk.jsonl"
    text = CONFIG.replace('password_file = "hook.secret"\n', "").format(out=out)
    text = text.replace('data_dir = "state"', f'data_dir = "{tmp_path}/data"')
    config = parse_config(text, "nw.toml", environ={})
    assert config.alerts.feed_health_channels == ["desk", "log"]
    off = parse_config(text + "\n[alerts]\nfeed_health_channels = []\n", "nw.toml", environ={})
    assert off.alerts.feed_health_channels == []

    since = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
    status = FeedStatus(feed_id="harbour", ok=False, consecutive_failures=5, failing_since=since,
                        last_error="HTTP 500 from harbour.test",
                        at=datetime(2031, 3, 4, 9, 30, tzinfo=UTC))
    with make_bus(config) as bus:
        bus.publish(config.bus.topic(EVENTS), "harbour", serde.dumps(status))
        bus.flush()
        stage = alerts.stage.build_stage(config, bus)
        try:
            stage.drain()
        finally:
            stage.close()
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(got) == 1
    assert "Feed harbour has failed 5 times since" in got[0]["alert"]["title"]
    assert "HTTP 500 from harbour.test" in got[0]["alert"]["text"]


def _start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"}
    with open(log, "wb") as sink:
        return subprocess.Popen([sys.executable, "-m", "newswatch", "run", "--stage", "collect",
                                 "--no-http", "--no-reload", *args], cwd=cwd, env=env,
                                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_run_logs_what_it_runs_on(tmp_path: Path) -> None:
    etc, elsewhere = tmp_path / "etc", tmp_path / "elsewhere"
    etc.mkdir()
    elsewhere.mkdir()
    (etc / "hook.secret").write_text("pw-31e7\n")
    cfg = etc / "nw.toml"
    cfg.write_text(CONFIG.format(out="desk.jsonl"))
    log = tmp_path / "run.log"
    proc = _start(["-c", str(cfg)], elsewhere, log)
    try:
        wait_for(lambda: "newswatch running" in log.read_text(), 60, "the service to start")
    finally:
        assert _stop(proc) == 0
    text = log.read_text()
    assert (f"config {cfg}: 1 feeds, 2 watches, 2 channels; data_dir {etc / 'state'}; "
            f"bus sqlite:///{etc / 'state'}/bus.db") in text
    assert "go to the log and to channels desk, log" in text
    assert "bundled sample" not in text
    assert (etc / "state" / "bus.db").exists() and not (elsewhere / "state").exists()


def test_run_warns_when_it_runs_the_bundled_sample(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    proc = _start([], tmp_path, log)  # no -c, no $NEWSWATCH_CONFIG, no ./newswatch.toml
    try:
        wait_for(lambda: "newswatch running" in log.read_text(), 60, "the service to start")
    finally:
        assert _stop(proc) == 0
    text = log.read_text()
    assert "config <bundled sample>: 0 feeds, 3 watches, 1 channels" in text
    assert "WARNING" in text and "running the bundled sample config" in text
