"""Stored history never vanishes without a word (the real ``newswatch run`` process).

A deleted delivery ledger while the bus shows delivered work: the start is refused with what to
do; ``newswatch alerts rebuild`` rebuilds it from the matches topic without re-sending; the next
start alerts only new matches. A page-damaged bus or ledger: the start is refused, and
``alerts list`` explains instead of dying with a raw sqlite3.DatabaseError.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_peers import messages
from svc_peers import FeedServer, NewswatchProcess, WebhookReceiver, rss, wait_for

SECRET = "whsec-ledger-5b1e"
RAIDS = [
    ("a1", "Gunmen cross river in overnight incursion near Ostrava bend",
     "Villagers reported boats landing on the eastern bank."),
    ("a2", "Second incursion in a week reported by border wardens at Kettle pass",
     "Wardens found fresh tracks leading across the saddle."),
    ("a3", "Incursion by mounted raiders scatters herds on the plateau",
     "Herders lost two dozen animals, the district office says."),
]
LATER = ("a4", "Night incursion repelled at the old quarry crossing",
         "Guards fired flares and the group turned back.")


def config(tmp_path: Path, feed_url: str, hook_port: int) -> Path:
    path = tmp_path / "newswatch.toml"
    path.write_text(f"""
[service]
data_dir = "{tmp_path}/data"
log_format = "json"
reload = false
shutdown_timeout_secs = 10

[classifier]
kind = "keywords"

[[feeds]]
id = "wardens"
url = "{feed_url}"
interval_secs = 10
jitter_secs = 0

[[watches]]
name = "raids"
channels = ["hook"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "hook"
url = "http://127.0.0.1:{hook_port}/hook"
secret = "{SECRET}"
""")
    return path


def cli(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args, "-c", str(cfg)],
                          capture_output=True, text=True, timeout=120, cwd=cfg.parent)


def stop(nw: NewswatchProcess) -> None:
    nw.signal(signal.SIGTERM)
    assert nw.wait(30) == 0, nw.log()[-3000:]


def refused(cfg: Path, log: Path, *args: str) -> str:
    nw = NewswatchProcess(cfg, *args, log=log)
    try:
        assert nw.wait(60) == 3, nw.log()[-3000:]
    finally:
        nw.kill()
    return "\n".join(messages(nw.log()))


def damage(path: Path) -> None:
    """Overwrite every page after the first (the schema) with garbage."""
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)
    path.write_bytes(bytes(data))


@pytest.mark.slow
def test_lost_ledger_is_refused_rebuilt_and_damage_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with FeedServer() as feeds, WebhookReceiver(SECRET) as hook:
        feeds.feeds["/w.rss"] = rss("Wardens", RAIDS)
        cfg = config(tmp_path, feeds.url("/w.rss"), hook.port)
        nw = NewswatchProcess(cfg, log=tmp_path / "run1.log")
        try:
            nw.wait_ready()
            wait_for(lambda: len(hook.keys()) == 3, 60, "3 alerts")
            stop(nw)
        finally:
            nw.kill()

        for suffix in ("", "-wal", "-shm"):
            (data / f"alerts.db{suffix}").unlink(missing_ok=True)
        text = refused(cfg, tmp_path / "run2.log")
        assert "refusing to start: the delivery ledger" in text and "is missing" in text
        assert "already consumed" in text
        assert "newswatch alerts rebuild" in text and "--accept-empty-ledger" in text

        out = cli(cfg, "alerts", "rebuild")
        assert out.returncode == 0, out.stderr
        assert "3 marked unknown" in out.stdout
        listed = cli(cfg, "alerts", "list")
        assert listed.returncode == 0 and listed.stdout.count(" unknown ") == 3, listed.stdout
        assert "unknown=3" in listed.stdout

        feeds.feeds["/w.rss"] = rss("Wardens", [*RAIDS, LATER])
        nw = NewswatchProcess(cfg, log=tmp_path / "run3.log")
        try:
            nw.wait_ready()
            wait_for(lambda: len(hook.keys()) == 4, 60, "the alert of the new match")
            stop(nw)
        finally:
            nw.kill()
        keys = hook.keys()
        assert len(set(keys)) == 4  # the rebuilt alerts were not sent again
        with hook.lock:
            last = hook.received[-1][1]
        assert [m["article"]["title"] for m in last["alert"]["matches"]] == [LATER[1]]

    # An emptied ledger is refused too.
    ledger = data / "alerts.db"
    kept = ledger.read_bytes()
    ledger.write_bytes(b"")
    assert "is empty" in refused(cfg, tmp_path / "run4.log")

    # Page damage: the start is refused naming each file; `alerts list` explains.
    ledger.write_bytes(kept)
    damage(ledger)
    damage(data / "bus.db")
    text = refused(cfg, tmp_path / "run5.log", "--accept-empty-ledger")
    assert "the embedded bus" in text and "bus.db is damaged" in text and "backup" in text
    assert "the delivery ledger" in text and "alerts.db is damaged" in text
    listed = cli(cfg, "alerts", "list")
    assert listed.returncode == 1
    assert "Traceback" not in listed.stderr and "DatabaseError" not in listed.stderr
    assert "alerts.db is damaged" in listed.stderr and "alerts rebuild" in listed.stderr
