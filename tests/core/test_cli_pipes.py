"""Commands piped into `head` stop quietly: no BrokenPipeError traceback (issue 10, item 8).
A real shell pipe to a real `head -n1`; the output is far larger than a pipe's buffer, so the
writer meets the closed pipe."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

FEEDS = 3000
ITEMS = 3000


def _pipe_to_head(args: list[str], tmp_path: Path) -> tuple[str, str, int]:
    """(head's output, newswatch's stderr, newswatch's exit status)."""
    err = tmp_path / "stderr.txt"
    cmd = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "newswatch", *args])
    script = f"{cmd} 2>{shlex.quote(str(err))} | head -n1; exit ${{PIPESTATUS[0]}}"
    res = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path)
    return res.stdout, err.read_text(), res.returncode


def _feeds_config(tmp_path: Path) -> Path:
    cfg = tmp_path / "nw.toml"
    feeds = "".join(f'[[feeds]]\nid = "wire-{i}"\nurl = "https://wire{i}.example/rss"\n'
                    for i in range(FEEDS))
    cfg.write_text(f'[service]\ndata_dir = "state"\n[classifier]\nkind = "keywords"\n{feeds}')
    return cfg


def _big_feed(tmp_path: Path) -> Path:
    items = "".join(
        f"<item><guid>g{i}</guid><title>Ferry timetable notice number {i} for the harbour"
        f"</title><link>https://harbour.example/{i}</link><description>Sailings change on "
        f"route {i}.</description></item>" for i in range(ITEMS))
    path = tmp_path / "feeds" / "harbour.rss"
    path.parent.mkdir()
    path.write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                    f"<title>Harbour</title><link>https://harbour.example/</link>{items}"
                    "</channel></rss>")
    return path.parent


@pytest.mark.parametrize("command", ["feeds", "replay"])
def test_piping_into_head_prints_no_traceback(command: str, tmp_path: Path) -> None:
    cfg = _feeds_config(tmp_path)
    if command == "feeds":
        args = ["feeds", "-c", str(cfg)]
        first = "FEED"
    else:
        args = ["replay", "-c", str(cfg), str(_big_feed(tmp_path)), "--articles-out", "-"]
        first = '{"'
    out, err, status = _pipe_to_head(args, tmp_path)
    assert out.startswith(first) and out.count("\n") == 1
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert "Exception ignored" not in err, err
    assert status == 141  # as a process killed by SIGPIPE: `set -o pipefail` still notices
