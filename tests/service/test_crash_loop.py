"""A crash-looping stage is unhealthy; a stage that ran well for a while restarts fast again
(issue 10, item 6)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from svc_peers import wait_for

from newswatch.bus import open_bus
from newswatch.config import Config, parse_config
from newswatch.service import Service
from newswatch.service.slots import StageSlot, backoff_secs

CONFIG = """
[service]
data_dir = "{data}"
http_listen = "127.0.0.1:0"
shutdown_timeout_secs = 5
unhealthy_restarts = 2
unhealthy_window_secs = 300
"""


class _Broken:
    """A stage whose every run fails at once, like classify on a label the model lacks."""

    name = "broken"

    def run(self, stop: threading.Event) -> None:
        raise RuntimeError("unknown label 'cross_border_raids'")

    def drain(self) -> int:
        return 0

    def close(self) -> None:
        pass


class _Blip:
    """Runs ``healthy_secs``, then fails (a broker blip), each time it is started."""

    name = "blip"

    def __init__(self, healthy_secs: float):
        self.healthy_secs = healthy_secs

    def run(self, stop: threading.Event) -> None:
        if not stop.wait(self.healthy_secs):
            raise ConnectionError("broker connection reset")

    def drain(self) -> int:
        return 0

    def close(self) -> None:
        pass


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_crash_looping_stage_fails_healthz_with_the_reason(tmp_path: Path) -> None:
    config: Config = parse_config(CONFIG.format(data=tmp_path), "t.toml", environ={})
    service = Service(config, {"classify": lambda c, b: _Broken()},
                      lambda c: open_bus(f"sqlite:///{tmp_path}/bus.db"))
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(service.run(stop)))
    thread.start()

    def failures() -> int:  # the slot appears once the service has built the stage
        slot = service.slots.get("classify")
        return slot.failures if slot is not None else 0

    try:
        wait_for(lambda: service.http is not None, 10, "the http endpoint")
        url = f"http://{service.http.address}/healthz"  # type: ignore[union-attr]
        wait_for(lambda: failures() >= 1, 30, "the first failure")
        status, body = _get(url)
        assert status == 200 and body["restarts"] == {"classify": 1}  # one failure is no loop
        wait_for(lambda: failures() >= 2, 30, "the restart to fail")
        status, body = _get(url)
        assert status == 503 and body["ok"] is False
        assert body["restarts"] == {"classify": 2}
        assert "stage classify failed 2 times in the last 300s" in body["reason"]
        assert "unknown label 'cross_border_raids'" in body["reason"]
    finally:
        stop.set()
        thread.join(30)
    assert result == [0]


def test_backoff_starts_again_after_a_healthy_run(tmp_path: Path) -> None:
    with open_bus(f"sqlite:///{tmp_path}/bus.db") as bus:
        config = parse_config(CONFIG.format(data=tmp_path), "t.toml", environ={})
        quick = StageSlot("quick", lambda c, b: _Blip(0.0), bus, reset_after_secs=0.5)
        for n in (1, 2, 3):  # failing at once: the backoff grows
            quick.start(config)
            assert quick.join(10)
            assert quick.failures == n and quick.recent_failures(60) == n
        assert quick.next_start - time.monotonic() > backoff_secs(2)

        steady = StageSlot("steady", lambda c, b: _Blip(0.8), bus, reset_after_secs=0.5)
        for _ in range(3):  # each run outlives reset_after_secs before its blip
            steady.start(config)
            assert steady.join(10)
            assert steady.state == "failed"
            assert steady.failures == 1  # a new episode every time: restart after 2 s
        assert steady.next_start - time.monotonic() <= backoff_secs(1)
        assert steady.recent_failures(60) == 3  # /healthz still sees every failure
