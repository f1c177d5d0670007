"""The service's parts in-process: logging formats, reload decisions, supervision, shutdown
bounds, progress bars. Real stages are exercised by the end-to-end tests."""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from pathlib import Path

import pytest
from svc_peers import wait_for

from newswatch.bus import Bus, open_bus
from newswatch.config import Config, parse_config
from newswatch.progress import enabled, progress
from newswatch.service import Service, setup_logging
from newswatch.service.reload import ConfigWatcher, changed_sections, stages_to_rebuild

BASE = """
[service]
data_dir = "{data}"
http_enabled = false
shutdown_timeout_secs = {timeout}
[[watches]]
name = "w"
channels = ["c"]
[watches.keywords]
any = ["incursion"]
[[channels]]
name = "c"
url = "console://"
"""


def make_config(tmp_path: Path, timeout: float = 5) -> Config:
    return parse_config(BASE.format(data=tmp_path, timeout=timeout), "test.toml", environ={})


def test_json_and_text_logs_carry_ids() -> None:
    for fmt in ("json", "text"):
        out = io.StringIO()
        setup_logging("INFO", fmt, stream=out)
        logging.getLogger("newswatch.test").warning(
            "fetch failed", extra={"feed_id": "wire-1", "article_id": "a9"}
        )
        logging.getLogger("newswatch.test").info("sent", extra={"alert_id": "al-7"})
        lines = out.getvalue().splitlines()
        if fmt == "json":
            first, second = (json.loads(line) for line in lines)
            assert first["feed_id"] == "wire-1" and first["article_id"] == "a9"
            assert first["level"] == "WARNING" and first["msg"] == "fetch failed"
            assert second["alert_id"] == "al-7" and "feed_id" not in second
        else:
            assert "fetch failed feed_id=wire-1 article_id=a9" in lines[0]
            assert lines[1].endswith("sent alert_id=al-7")
    setup_logging("INFO", "text")


def test_reload_touches_only_affected_stages(tmp_path: Path) -> None:
    old = make_config(tmp_path)
    text = BASE.format(data=tmp_path, timeout=5).replace('"incursion"', '"incursion", "raid"')
    new = parse_config(text, "test.toml", environ={})
    assert changed_sections(old, new) == {"watches"}
    running = ["collect", "classify", "alert"]
    assert stages_to_rebuild({"watches"}, running) == {"classify", "alert"}
    assert stages_to_rebuild({"channels"}, running) == {"alert"}
    assert stages_to_rebuild({"feeds"}, ["classify"]) == set()
    assert stages_to_rebuild({"service", "bus"}, running) == set()
    assert stages_to_rebuild({"some_future_section"}, running) == set(running)


def test_watcher_rejects_invalid_edit_and_keeps_config(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "newswatch.toml"
    text = BASE.format(data=tmp_path, timeout=5)
    path.write_text(text)
    watcher = ConfigWatcher(path, make_config(tmp_path))
    assert watcher.check() is None  # unchanged
    path.write_text(text.replace("[[channels]]", "[[channels]]\nbogus = 1"))
    with caplog.at_level(logging.ERROR):
        assert watcher.check() is None
    assert "config reload rejected" in caplog.text and "channels[0].bogus" in caplog.text
    assert watcher.current.channels[0].url == "console://"
    path.write_text(text.replace('"incursion"', '"raid"'))
    new = watcher.check()
    assert new is not None and new.watches[0].keywords.any == ["raid"]


class _Stuck:
    """A stage that ignores ``stop`` (a hung HTTP call, say)."""

    name = "stuck"

    def __init__(self, release: threading.Event):
        self.release = release

    def run(self, stop: threading.Event) -> None:
        self.release.wait(30)

    def drain(self) -> int:
        return 0

    def close(self) -> None:
        pass


class _Flaky:
    """Fails on its first run, then works: the supervisor must restart it."""

    name = "flaky"
    runs = 0

    def run(self, stop: threading.Event) -> None:
        type(self).runs += 1
        if type(self).runs == 1:
            raise RuntimeError("first run fails")
        stop.wait()

    def drain(self) -> int:
        return 0

    def close(self) -> None:
        pass


def _bus_factory(tmp_path: Path):
    def make(config: Config) -> Bus:
        return open_bus(f"sqlite:///{tmp_path}/bus.db")

    return make


def test_shutdown_is_bounded_and_reports_the_stuck_stage(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    release = threading.Event()
    service = Service(make_config(tmp_path, timeout=1), {"stuck": lambda c, b: _Stuck(release)},
                      _bus_factory(tmp_path))
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        status = service.run(stop)
    release.set()
    assert status == 1
    assert time.monotonic() - started < 15  # generous: 1 s timeout plus start-up
    assert "shutdown timed out after 1s: stuck did not finish" in caplog.text


def test_failed_stage_is_restarted_and_readiness_follows(tmp_path: Path) -> None:
    _Flaky.runs = 0
    service = Service(make_config(tmp_path), {"flaky": lambda c, b: _Flaky()},
                      _bus_factory(tmp_path))
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(service.run(stop)))
    thread.start()
    try:
        wait_for(lambda: _Flaky.runs >= 2 and service.readiness()[0], 30, "restart + ready")
        ok, detail = service.readiness()
        assert detail["stages"]["flaky"]["state"] == "running" and detail["bus"]["ok"]
        assert service.health()[0]
    finally:
        stop.set()
        thread.join(30)
    assert result == [0]
    assert service.readiness()[0] is False  # stopping: not ready any more


def test_progress_quiet_off_terminal(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NEWSWATCH_PROGRESS", raising=False)
    assert not enabled()  # pytest captures stderr: not a terminal
    assert list(progress(range(5), desc="quiet")) == [0, 1, 2, 3, 4]
    assert "quiet" not in capsys.readouterr().err
    monkeypatch.setenv("NEWSWATCH_PROGRESS", "1")
    assert list(progress(range(3), desc="forced", leave=True)) == [0, 1, 2]
    assert "forced" in capsys.readouterr().err
