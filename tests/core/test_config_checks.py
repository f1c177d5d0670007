"""One validation path: what ``run`` would reject, ``check-config`` rejects first, each problem
as FILE:LINE: key.path: message with the closest known name (issue 10, item 5)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from newswatch import app
from newswatch.bus import base as bus_base
from newswatch.bus import open_bus
from newswatch.config import ConfigError, parse_config
from newswatch.service.reload import ConfigWatcher

CONFIG = """
[service]
data_dir = "state"
http_enabled = false

[[watches]]
name = "raids"
labels = { cross_border_raids = 0.5 }
channels = ["desk"]

[[watches]]
name = "legions"
groups = ["Freedom of Rusia Legion"]
channels = ["desk"]

[[channels]]
name = "desk"
url = "console://"
"""


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_check_config_rejects_unknown_label_and_group_with_line_and_hint(tmp_path: Path) -> None:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(CONFIG)
    expected = [
        f"error: {cfg}:{_line(CONFIG, 'cross_border_raids')}: watches[0].labels."
        "cross_border_raids: unknown label 'cross_border_raids' (did you mean "
        "'cross_border_raid'?)",
        f"error: {cfg}:{_line(CONFIG, 'Rusia')}: watches[1].groups[0]: unknown group "
        "'Freedom of Rusia Legion' (did you mean 'Freedom of Russia Legion'?)",
    ]
    for args in (["check-config", str(cfg)], ["check-config", "-c", str(cfg)]):
        res = _cli(*args)
        assert res.returncode == 1, res.stdout
        assert res.stderr.splitlines() == expected


def test_run_refuses_an_invalid_config_with_the_same_messages(tmp_path: Path) -> None:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(CONFIG)
    check = _cli("check-config", "-c", str(cfg))
    proc = subprocess.Popen([sys.executable, "-m", "newswatch", "run", "-c", str(cfg),
                             "--no-http", "--no-reload"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"run started on an invalid config instead of refusing it:\n{err[-2000:]}")
    assert proc.returncode == 2
    assert err.splitlines()[0] == f"newswatch: invalid configuration {cfg}:"
    assert err.splitlines()[1:] == check.stderr.splitlines()
    assert "Traceback" not in err and not (tmp_path / "state").exists()  # nothing started


def test_fixed_config_passes_and_check_config_defaults_like_other_commands(
        tmp_path: Path) -> None:
    good = CONFIG.replace("cross_border_raids", "cross_border_raid").replace("Rusia", "Russia")
    (tmp_path / "newswatch.toml").write_text(good)
    res = _cli("check-config", cwd=tmp_path)  # no FILE: ./newswatch.toml, as `run` reads it
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("newswatch.toml: ok (0 feeds, 2 watches, 1 channels")
    assert f"data_dir {tmp_path / 'state'}" in res.stdout


def _problems(text: str, **kwargs: Any) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "nw.toml", environ={}, checks=app.CHECKS, **kwargs)
    return err.value.problems


def test_keyword_classifier_routes_and_channels_are_checked(tmp_path: Path) -> None:
    text = f"""
[service]
data_dir = "{tmp_path}"
[classifier]
kind = "keywords"
[[watches]]
name = "raids"
labels = {{ armed_group = 0.5 }}
channels = ["desk"]
[[channels]]
name = "desk"
url = "console://"
templates = {{ text = "{{% if %}}broken" }}
[[routes]]
name = "night"
watches = ["raid"]
labels = ["Arakan Amy"]
channels = ["desk"]
"""
    problems = _problems(text)
    assert problems[0] == (f"nw.toml:{_line(text, 'armed_group')}: watches[0].labels.armed_group: "
                           'labels need the model: [classifier] kind is "keywords" '
                           '(set kind = "model")')
    assert problems[1].startswith(f"nw.toml:{_line(text, '[[channels]]')}: channels[0]: "
                                  "channel 'desk' cannot be opened: ")
    assert "bad template" in problems[1]
    assert problems[2] == (f"nw.toml:{_line(text, 'watches = ')}: routes[0].watches[0]: "
                           "unknown watch 'raid' (did you mean 'raids'?)")
    assert problems[3] == (f"nw.toml:{_line(text, 'Arakan Amy')}: routes[0].labels[0]: "
                           "unknown label or group 'Arakan Amy' (did you mean 'Arakan Army'?)")
    assert len(problems) == 4


def test_missing_codec_library_is_a_config_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    text = '[bus]\nurl = "kafka://127.0.0.1:9092"\n\n[bus.kafka]\ncompression_type = "snappy"\n'
    parse_config(text, "nw.toml", environ={}, checks=app.CHECKS)  # installed by the test extra
    monkeypatch.setitem(bus_base.COMPRESSION_CODECS, "snappy",
                        ("newswatch_absent_codec", "python-snappy"))
    assert _problems(text) == [
        "nw.toml:5: bus.kafka.compression_type: compression 'snappy' needs the python-snappy "
        "package: pip install 'newswatch[kafka-fast]' (or pip install python-snappy)"]
    # The embedded bus never compresses: no reason to refuse it there.
    parse_config(text.replace("kafka://127.0.0.1:9092", ""), environ={}, checks=app.CHECKS)


@pytest.mark.kafka
def test_snappy_compression_round_trips_on_kafka(kafka_url: str, kafka_options: dict[str, Any],
                                                 unique_name: str) -> None:
    topic = f"snappy-{unique_name}"
    with open_bus(kafka_url, compression_type="snappy", **kafka_options) as bus:
        bus.create_topics([topic])
        for i in range(20):
            bus.publish(topic, f"k{i}", b"incursion report " * 40 + str(i).encode())
        bus.flush()
        with bus.consumer(f"g-{unique_name}", [topic]) as consumer:
            got: list[bytes] = []
            deadline = time.monotonic() + 60
            while len(got) < 20 and time.monotonic() < deadline:
                got += [r.value for r in consumer.poll(timeout_secs=1.0)]
    assert sorted(got) == sorted(b"incursion report " * 40 + str(i).encode() for i in range(20))


def test_hot_reload_applies_the_same_checks(tmp_path: Path) -> None:
    good = CONFIG.replace("cross_border_raids", "cross_border_raid").replace("Rusia", "Russia")
    path = tmp_path / "nw.toml"
    path.write_text(good)
    watcher = ConfigWatcher(path, app.load(str(path)), app.load)
    path.write_text(good.replace('"Freedom of Russia Legion"', '"Freedom of Russia Legio"'))
    assert watcher.check() is None  # rejected: the classify stage would not start with it
    assert watcher.current.watches[1].groups == ["Freedom of Russia Legion"]
