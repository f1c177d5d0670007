"""The README stays true: its config example validates, CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

from newswatch.config import parse_config

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_readme_starts_with_exactly_two_setup_commands() -> None:
    setup = README.split("## Set up on a fresh machine", 1)[1].split("\n## ", 1)[0]
    commands = [b.strip() for b in re.findall(r"```sh\n(.*?)```", setup, flags=re.S)]
    assert len(commands) == 2
    assert commands[0].endswith("newswatch replay newswatch/samples/feeds")
    assert commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    test_command = [b.strip() for b in _blocks("sh")][1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()


def test_readme_config_example_validates(tmp_path: Path) -> None:
    (block,) = [b for b in _blocks("toml") if "[[channels]]" in b]
    secret = tmp_path / "hook.secret"
    secret.write_text("s3cret\\n")
    text = block.replace("/etc/newswatch/hook.secret", str(secret))
    config = parse_config(text, "README.md", environ={})
    assert [w.name for w in config.watches] == ["raids", "legions"]
    assert {c.name for c in config.channels} == {"ops-mail", "ops-hook"}
    assert config.routes[0].quiet_hours is not None
