"""The CLI: every listed command is real and has --help; the README's first command works."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newswatch import __version__
from newswatch.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "newswatch" / "samples" / "feeds"


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def _commands() -> list[str]:
    sub = next(a for a in build_parser(full=True)._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_version() -> None:
    res = _cli("--version")
    assert res.returncode == 0 and res.stdout.strip() == f"newswatch {__version__}"


def test_required_commands_are_listed() -> None:
    assert {"run", "replay", "check-config"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help(command: str) -> None:
    res = _cli(command, "--help")
    assert res.returncode == 0, res.stderr
    assert f"usage: newswatch {command}" in res.stdout


def test_replay_of_bundled_samples_prints_alerts_and_is_repeatable(tmp_path: Path) -> None:
    # Run from an empty directory: no ./newswatch.toml, so the bundled sample config is used.
    first = _cli("replay", str(SAMPLES), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Belgorod" in first.stdout  # the sample raid story is alerted on the console
    assert "bicycle lanes" not in first.stdout  # an ordinary story is not
    summary = [ln for ln in first.stderr.splitlines() if ln.startswith("replay:")]
    assert summary and "3 feeds" in summary[0] and " 0 alerts" not in summary[0]
    second = _cli("replay", str(SAMPLES), cwd=tmp_path)
    assert second.stdout == first.stdout
    assert not list(tmp_path.iterdir())  # a replay leaves no state behind by default


def test_replay_of_missing_path_names_it(tmp_path: Path) -> None:
    res = _cli("replay", str(tmp_path / "nowhere"))
    assert res.returncode == 2
    assert "nowhere" in res.stderr
