"""Typed config: unknown keys named with line and path, env overrides, check-config CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newswatch.config import ConfigError, load_config, parse_config

GOOD = """
[service]
data_dir = "state"

[bus]
url = "sqlite:///tmp/x/bus.db"

[[feeds]]
id = "wire"
url = "https://wire.example/rss"
interval_secs = 120

[[watches]]
name = "raids"
channels = ["ops-console"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "ops-console"
url = "console://"
"""


def test_good_config_loads_with_types() -> None:
    config = parse_config(GOOD, environ={})
    assert config.feeds[0].interval_secs == 120
    assert config.watches[0].keywords.any == ["incursion"]
    assert config.bus_url() == "sqlite:///tmp/x/bus.db"


def test_misspelt_key_is_named_with_line_and_path() -> None:
    text = GOOD.replace("interval_secs = 120", "intervall_secs = 120")
    with pytest.raises(ConfigError) as err:
        parse_config(text, "newswatch.toml", environ={})
    line = text.splitlines().index("intervall_secs = 120") + 1
    assert f"newswatch.toml:{line}: feeds[0].intervall_secs: unknown key" in str(err.value)


def test_nested_unknown_key_and_bad_value_are_all_reported() -> None:
    text = GOOD.replace('any = ["incursion"]', 'anyy = ["incursion"]').replace(
        "interval_secs = 120", "interval_secs = 1")
    with pytest.raises(ConfigError) as err:
        parse_config(text, environ={})
    problems = "\n".join(err.value.problems)
    assert "watches[0].keywords.anyy: unknown key" in problems
    assert "feeds[0].interval_secs" in problems and "greater than or equal to 10" in problems


def test_broken_reference_and_duplicates_are_rejected_at_their_line() -> None:
    text = GOOD.replace('channels = ["ops-console"]', 'channels = ["ops-consol"]')
    line = text.splitlines().index('channels = ["ops-consol"]') + 1
    with pytest.raises(ConfigError) as err:
        parse_config(text, "nw.toml", environ={})
    assert err.value.problems == [f"nw.toml:{line}: watches[0].channels[0]: no channel named "
                                  "'ops-consol' (did you mean 'ops-console'?)"]
    dup = GOOD + '\n[[feeds]]\nid = "wire"\nurl = "https://other.example/"\n'
    with pytest.raises(ConfigError) as err:
        parse_config(dup, "nw.toml", environ={})
    line = len(dup.splitlines()) - 1
    assert err.value.problems == [f"nw.toml:{line}: feeds[1].id: duplicate id 'wire'"]


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(ConfigError, match=r"cfg\.toml: not valid TOML"):
        parse_config("[[feeds]\n", "cfg.toml", environ={})


def test_environment_overrides_tables_and_named_items() -> None:
    env = {"NEWSWATCH_BUS__URL": "kafka://10.0.0.1:9092", "NEWSWATCH_FEEDS__WIRE__TITLE": "Wire"}
    config = parse_config(GOOD, environ=env)
    assert config.bus.url == "kafka://10.0.0.1:9092"
    assert config.feeds[0].title == "Wire"
    with pytest.raises(ConfigError, match="NEWSWATCH_FEEDS__NOPE__TITLE"):
        parse_config(GOOD, environ={"NEWSWATCH_FEEDS__NOPE__TITLE": "x"})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(tmp_path / "absent.toml")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True,
                          text=True, timeout=120)


def test_check_config_cli(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(GOOD)
    ok = _cli("check-config", str(good))
    assert ok.returncode == 0, ok.stderr
    assert "ok (1 feeds, 1 watches, 1 channels" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("interval_secs", "intervl_secs"))
    res = _cli("check-config", str(bad))
    assert res.returncode == 1
    assert "feeds[0].intervl_secs: unknown key" in res.stderr


def test_internal_feed_health_watch_name_is_reserved() -> None:
    text = GOOD.replace('name = "raids"', 'name = "feed-health"')
    with pytest.raises(ConfigError, match="watches\\[0\\].name: .*reserved for feed-health"):
        parse_config(text, environ={})
