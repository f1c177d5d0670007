"""``newswatch replay`` leaves no temporary directory behind, even when killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from feedhelp import FIXTURES


def _wait(check, timeout: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_replay_removes_its_temporary_directory(tmp_path: Path, sig: int) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cfg = tmp_path / "nw.toml"
    cfg.write_text('[classifier]\nkind = "keywords"\n[[watches]]\nname = "w"\n'
                   '[watches.keywords]\nany = ["border"]\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "replay", str(FIXTURES), "-c", str(cfg)],
        env={**os.environ, "TMPDIR": str(tmpdir)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait(lambda: any(tmpdir.glob("newswatch-replay-*/bus.db")), 60), "no replay dir"
        proc.send_signal(sig)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait(lambda: not any(tmpdir.iterdir()), 10), list(tmpdir.iterdir())


def test_finished_replay_removes_its_temporary_directory(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "newswatch", "replay", str(FIXTURES / "rss20.rss"), "-c",
         str(tmp_path / "missing.toml")],
        env={**os.environ, "TMPDIR": str(tmpdir)}, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 2 and "cannot read config" in out.stderr
    cfg = tmp_path / "nw.toml"
    cfg.write_text('[classifier]\nkind = "keywords"\n')
    out = subprocess.run(
        [sys.executable, "-m", "newswatch", "replay", str(FIXTURES / "rss20.rss"), "-c", str(cfg)],
        env={**os.environ, "TMPDIR": str(tmpdir)}, capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0 and "replay: 1 files" in out.stderr
    assert _wait(lambda: not any(tmpdir.iterdir()), 10)
