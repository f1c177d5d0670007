"""`newswatch replay` re-sends nothing the service already sent: console:// and file://
channels only, unless --deliver (issue 10, item 4). Real SMTP and webhook peers on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from svc_peers import SmtpSink, WebhookReceiver, rss

SECRET = "whsec-replay-5c1d"
ITEMS = [
    ("r1", "Armed group stages incursion into Kessra border district", "Gunfire at dawn."),
    ("r2", "Army repels incursion near Tavor river crossing", "A unit waded across."),
    ("q1", "Harvest festival draws record crowds in Lenhof", "Stalls sold out."),
]


def _config(tmp_path: Path, smtp_port: int, hook_port: int) -> Path:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(f"""
[classifier]
kind = "keywords"

[[watches]]
name = "raids"
channels = ["mail", "hook", "file"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "mail"
url = "smtp://127.0.0.1:{smtp_port}"
to = ["desk@example.org"]
from_addr = "newswatch@example.org"
starttls = "off"

[[channels]]
name = "hook"
url = "http://127.0.0.1:{hook_port}/hook"
secret = "{SECRET}"

[[channels]]
name = "file"
url = "file://{tmp_path}/alerts.jsonl"
""")
    return cfg


def _replay(cfg: Path, feeds: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", "replay", "-c", str(cfg),
                           str(feeds), *extra], capture_output=True, text=True, timeout=180)


def test_replay_withholds_email_and_webhooks_unless_deliver(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "borderwatch.rss").write_bytes(rss("Border Watch", ITEMS))
    with SmtpSink() as smtp, WebhookReceiver(SECRET) as hook:
        cfg = _config(tmp_path, smtp.port, hook.port)
        res = _replay(cfg, feeds)
        assert res.returncode == 0, res.stderr
        assert smtp.messages == [] and hook.received == []  # nothing re-sent
        alerts = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
        assert len(alerts) == 2  # the file channel still gets every alert
        summary = [ln for ln in res.stderr.splitlines() if ln.startswith("replay:")]
        assert summary[0].endswith("2 matches, 2 alerts")
        assert summary[1] == (
            "replay: not delivered to mail (email: 2 alerts), hook (generic: 2 alerts): replay "
            "delivers to console:// and file:// channels only; pass --deliver to send them")

        res = _replay(cfg, feeds, "--deliver")
        assert res.returncode == 0, res.stderr
        assert len(smtp.messages) == 2 and len(hook.received) == 2
        titles = sorted(body["alert"]["title"] for _, body in hook.received)
        assert titles == sorted(a["alert"]["title"] for a in alerts)
        summary = [ln for ln in res.stderr.splitlines() if ln.startswith("replay:")]
        assert summary == [summary[0]] and summary[0].endswith("2 matches, 6 alerts")
