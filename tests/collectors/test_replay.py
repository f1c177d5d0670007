"""Replay of saved feeds through the whole pipeline, on both buses: deterministic (same
articles in the same order twice), every fixture goes through, the CLI summary and output."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from feedhelp import FIXTURES

from newswatch import app, serde
from newswatch.bus import open_bus
from newswatch.config import Config, parse_config
from newswatch.models import Article
from newswatch.stage import ARTICLES

ROOT = Path(__file__).resolve().parents[2]
WATCHES = """
[classifier]
kind = "keywords"

[[watches]]
name = "border"
channels = ["out"]
[watches.keywords]
any = ["crossed the border", "cross the border", "franchissent la frontière"]

[[channels]]
name = "out"
url = "file://{alerts}"
"""


def config_for(tmp: Path, bus_url: str, prefix: str) -> Config:
    bus = f'[bus]\nurl = "{bus_url}"\ntopic_prefix = "{prefix}."\n'
    if bus_url.startswith("kafka://"):
        bus += ("[bus.kafka]\npartitions = 1\n"
                "session_timeout_ms = 6000\nheartbeat_interval_ms = 1000\n")
    text = f'[service]\ndata_dir = "{tmp}"\n\n{bus}' + WATCHES.format(alerts=tmp / "alerts.jsonl")
    return parse_config(text, "test.toml", environ={})


def bus_articles(config: Config, expected: int) -> list[Article]:
    options: dict[str, Any] = {}
    if config.bus_url().startswith("kafka://"):
        options = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}
    out: list[Article] = []
    with open_bus(config.bus_url(), **options) as bus, bus.consumer(
        f"check-{uuid.uuid4().hex[:8]}", [config.bus.topic(ARTICLES)]
    ) as consumer:
        for _ in range(40):
            batch = consumer.poll(max_records=1000, timeout_secs=1.0)
            out.extend(serde.loads(r.value, Article) for r in batch)
            if len(out) >= expected and not batch:
                break
    return out


@pytest.fixture(params=["sqlite", pytest.param("kafka", marks=pytest.mark.kafka)])
def bus_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return ""  # the embedded bus in each run's data dir
    return request.getfixturevalue("kafka_url")


def test_replay_twice_gives_the_same_articles_in_the_same_order(
    bus_url: str, tmp_path: Path
) -> None:
    runs = []
    for n in (1, 2):
        config = config_for(tmp_path / f"run{n}", bus_url, f"r{uuid.uuid4().hex[:8]}")
        seen: list[Article] = []
        summary = app.replay(config, [str(FIXTURES)], seen.append)
        on_bus = bus_articles(config, len(seen))
        runs.append((summary, seen, on_bus))
    (s1, a1, b1), (s2, a2, b2) = runs
    assert [serde.to_dict(a) for a in a1] == [serde.to_dict(a) for a in a2]
    assert [a.id for a in b1] == [a.id for a in a1] == [a.id for a in b2]
    assert (s1.feeds, s1.articles, s1.duplicates, s1.matches, s1.alerts) == (
        s2.feeds, s2.articles, s2.duplicates, s2.matches, s2.alerts)
    assert s1.warnings == s2.warnings
    assert s1.feeds == 20 and s1.articles == len(a1) == 27 and s1.syndicated == 2
    assert s1.matches == 2 and s1.alerts >= 1  # the border stories in English and French
    for name in ("entity-bomb", "external-entity", "gigantic", "binary-junk", "not-a-feed",
                 "wrong-encoding", "ill-formed", "missing-fields"):
        assert any(f"'{name}'" in w for w in s1.warnings), name


def test_replay_into_the_same_state_publishes_nothing_new(tmp_path: Path) -> None:
    config = config_for(tmp_path, "", "same")
    first = app.replay(config, [str(FIXTURES)])
    second = app.replay(config, [str(FIXTURES)])
    assert first.articles == 27 and second.articles == 0
    assert second.duplicates == first.articles + first.duplicates


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def test_cli_replay_writes_articles_and_a_summary(tmp_path: Path) -> None:
    cfg = tmp_path / "newswatch.toml"
    cfg.write_text(WATCHES.format(alerts=tmp_path / "alerts.jsonl"))
    outputs = []
    for n in (1, 2):
        res = _cli("replay", str(FIXTURES), "--articles-out", f"a{n}.jsonl", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        summary = [ln for ln in res.stderr.splitlines() if ln.startswith("replay:")]
        assert summary == [summary[0]] and "20 feeds, 27 articles" in summary[0]
        assert "matches" in summary[0] and "alerts" in summary[0]
        assert "entity expansion" in res.stderr  # per-feed warnings name the feed
        outputs.append((tmp_path / f"a{n}.jsonl").read_text())
    assert outputs[0] == outputs[1]
    rows = [json.loads(line) for line in outputs[0].splitlines()]
    assert len(rows) == 27 and all(r["id"] and r["fetched"] for r in rows)


def test_cli_replay_names_a_missing_path(tmp_path: Path) -> None:
    res = _cli("replay", str(tmp_path / "absent.xml"), cwd=tmp_path)
    assert res.returncode == 2 and "absent.xml" in res.stderr
