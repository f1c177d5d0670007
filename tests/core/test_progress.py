"""Progress bars: drawn on a terminal (a real pseudo-terminal as the child's stderr), absent in
pipes, and never on stdout.

The model is trained once, by ``newswatch train`` itself under a pseudo-terminal; the other
commands use it.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from alerts.ledger import Ledger

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "newswatch" / "samples" / "feeds"
BAR = re.compile(r"\d+%\|")  # tqdm's "42%|####      |" prefix
TIMEOUT = 300


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_PROGRESS"}
    return {**env, "COLUMNS": "100"}


def run_tty(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """Run ``newswatch ARGS`` with stderr on a pseudo-terminal: (status, stdout, terminal)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "newswatch", *args], stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=slave, env=_env(), cwd=cwd,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def pump() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=TIMEOUT)
    finally:
        reader.join(timeout=10)
        os.close(master)
    return proc.returncode, out.decode("utf-8"), b"".join(chunks).decode("utf-8", "replace")


def run_pipe(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, env=_env(), cwd=cwd,
                          stdin=subprocess.DEVNULL)


def assert_bar(terminal: str, desc: str, total: int) -> None:
    assert re.search(rf"{desc}: +{BAR.pattern}.*\| *\d+/{total} ", terminal), terminal


def assert_no_bar(*streams: str) -> None:
    for text in streams:
        assert not BAR.search(text) and "it/s" not in text and "\r" not in text, text


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A config and a model trained by ``newswatch train`` on a terminal (bar checked)."""
    tmp = tmp_path_factory.mktemp("progress")
    model = tmp / "model"
    cfg = tmp / "nw.toml"
    cfg.write_text(
        f'[service]\ndata_dir = "{tmp / "data"}"\n'
        f'[classifier]\nmodel_path = "{model}"\n'
        '[[watches]]\nname = "raids"\nchannels = ["console"]\n'
        'labels = { cross_border_raid = 0.5 }\n'
        '[[channels]]\nname = "console"\nurl = "console://"\n'
    )
    status, out, terminal = run_tty("train", "-c", str(cfg), "--output", str(model))
    assert status == 0, terminal
    assert "model saved to" in out
    assert_bar(terminal, "train", 5)
    assert "fit on training part" in terminal  # the phase is shown next to the bar
    assert not BAR.search(out)
    return {"tmp": tmp, "cfg": cfg, "model": model}


def test_train_draws_a_bar_on_a_terminal_only(work: dict[str, Path]) -> None:
    # The terminal half ran in the fixture; here the same command into pipes.
    proc = run_pipe("train", "-c", str(work["cfg"]), "--output", str(work["tmp"] / "m2"))
    assert proc.returncode == 0, proc.stderr
    assert_no_bar(proc.stderr, proc.stdout)
    assert "held-out" in proc.stdout and "model saved to" in proc.stdout


def test_replay_bar_counts_files(work: dict[str, Path]) -> None:
    files = sorted(p for p in SAMPLES.iterdir() if not p.name.endswith(".headers.json"))
    status, out, terminal = run_tty("replay", str(SAMPLES), "-c", str(work["cfg"]),
                                    cwd=work["tmp"])
    assert status == 0, terminal
    assert_bar(terminal, "replay", len(files))
    assert f"replay: {len(files)} files" in terminal
    assert "Mortar fire across the frontier" in out  # alerts still on stdout
    proc = run_pipe("replay", str(SAMPLES), "-c", str(work["cfg"]), cwd=work["tmp"])
    assert proc.returncode == 0, proc.stderr
    assert_no_bar(proc.stderr, proc.stdout)
    assert proc.stdout == out  # same alerts, nothing of the bar mixed in
    assert f"replay: {len(files)} files" in proc.stderr


def test_evaluate_bar_counts_examples(work: dict[str, Path]) -> None:
    data = work["tmp"] / "eval.jsonl"
    rows = [{"title": f"Gunmen cross the border and raid outpost number {n}",
             "labels": ["cross_border_raid"]} for n in range(30)]
    rows += [{"title": f"Town council {n} approves a new library", "labels": []}
             for n in range(30)]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ("evaluate", str(data), "--model", str(work["model"]), "--plot",
            str(work["tmp"] / "pr.png"))
    status, out, terminal = run_tty(*args)
    assert status == 0, terminal
    assert_bar(terminal, "evaluate", len(rows))
    assert "cross_border_raid" in out
    proc = run_pipe(*args)
    assert proc.returncode == 0, proc.stderr
    assert_no_bar(proc.stderr, proc.stdout)
    assert proc.stdout == out


def test_classify_stdout_stays_json(work: dict[str, Path]) -> None:
    src = work["tmp"] / "in.jsonl"
    titles = ["Militants cross from the neighbouring country and attack a border post",
              "Harvest festival draws record crowds", "Rebel group claims ambush on convoy"]
    src.write_text("".join(json.dumps({"title": t}) + "\n" for t in titles))
    for status, out, err in [run_tty("classify", str(src), "--model", str(work["model"])),
                             (lambda p: (p.returncode, p.stdout, p.stderr))(
                                 run_pipe("classify", str(src), "--model", str(work["model"])))]:
        assert status == 0, err
        docs = [json.loads(line) for line in out.splitlines()]
        assert len(docs) == len(titles) and docs[0]["flagged"] and not docs[1]["flagged"]
        assert_no_bar(out)
    assert_no_bar(err)  # the piped run's stderr


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>subs</title></head><body>
<outline text="News">{}</outline></body></opml>
"""


def test_feeds_import_bar(work: dict[str, Path]) -> None:
    n = 40
    opml = work["tmp"] / "subs.opml"
    opml.write_text(OPML.format("".join(
        f'<outline text="Feed {i}" xmlUrl="http://127.0.0.1:9/feed{i}.xml"/>' for i in range(n))))
    for runner, name in ((run_tty, "tty.toml"), (run_pipe, "pipe.toml")):
        cfg = work["tmp"] / name
        cfg.write_text(work["cfg"].read_text())
        if runner is run_tty:
            status, out, err = run_tty("feeds", "import", str(opml), "-c", str(cfg))
            assert_bar(err, "import", n)
        else:
            proc = run_pipe("feeds", "import", str(opml), "-c", str(cfg))
            status, out, err = proc.returncode, proc.stdout, proc.stderr
            assert_no_bar(err, out)
            assert err == ""
        assert status == 0, err
        assert f"added {n} feeds" in out
        assert cfg.read_text().count("[[feeds]]") == n


def test_dlq_retry_bar(work: dict[str, Path]) -> None:
    n = 250  # more than one re-queue transaction
    for runner in ("tty", "pipe"):
        data = work["tmp"] / f"dlq-{runner}"
        cfg = work["tmp"] / f"dlq-{runner}.toml"
        cfg.write_text(work["cfg"].read_text().replace(str(work["tmp"] / "data"), str(data)))
        ledger = Ledger(data / "alerts.db")
        with ledger.transaction() as conn:
            conn.executemany(
                "INSERT INTO deliveries (alert_id, channel, state, attempts, last_error, updated)"
                " VALUES (?, 'console', 'dead', 5, 'HTTP 503', 1.0)",
                [(f"alert-{i:04d}",) for i in range(n)],
            )
        if runner == "tty":
            status, out, err = run_tty("alerts", "dlq", "retry", "--all", "-c", str(cfg))
            assert_bar(err, "retry", n)
        else:
            proc = run_pipe("alerts", "dlq", "retry", "--all", "-c", str(cfg))
            status, out, err = proc.returncode, proc.stdout, proc.stderr
            assert_no_bar(err, out)
        assert status == 0, err
        assert f"re-queued {n} deliveries" in out
        assert ledger.count("dead") == 0 and ledger.count("pending") == n
        ledger.close()
