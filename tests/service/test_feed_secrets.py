"""Credentials in feed URLs never appear anywhere (the real ``newswatch run`` process).

A feed behind basic auth with ``?apikey=`` (recorded to disk, with a body that draws a parse
warning) and a feed with ``?token=`` that redirects to a 404 (its failure becomes a
feed-health alert sent to every channel). Afterwards every output is searched for each
secret: the service log, ``newswatch feeds`` (text and JSON), ``alerts list`` and ``dlq
list``, every file in the data directory (SQLite files with their WAL, recordings), and what
the webhook, SMTP and file channels received. Also checked at start: the data directory is
0700 and its databases 0600, and a generic webhook without a secret is warned about.
"""

from __future__ import annotations

import base64
import json
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_peers import HostileFeeds, json_log, messages
from svc_peers import NewswatchProcess, SmtpSink, WebhookReceiver, wait_for

PASSWORD, API_KEY, TOKEN, HOOK_SECRET = ("PwSecret-4d8", "KeySecret-7a1", "TokSecret-9c2",
                                         "HookSecret-1f0")
SECRETS = (PASSWORD, API_KEY, TOKEN, HOOK_SECRET,
           base64.b64encode(f"reader:{PASSWORD}".encode()).decode())
RAID = "Armoured column crosses into Velmar district in dawn incursion"
BODY = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Private wire'
    "</title><item><guid>p1</guid><title>" + RAID + "</title><link>/stories/1</link>"
    "<description>Residents sheltered in cellars.</description></item>"
    "<item><guid>p2</guid><description></description></item></channel></rss>"
).encode()


def config(tmp_path: Path, feeds: HostileFeeds, smtp: int, hook: int) -> Path:
    private = feeds.url("/private.rss").replace("http://", f"http://reader:{PASSWORD}@")
    path = tmp_path / "newswatch.toml"
    path.write_text(f"""
[service]
data_dir = "{tmp_path}/data"
log_format = "json"
reload = false

[classifier]
kind = "keywords"

[alerts]
feed_health_channels = ["hook", "mail", "file"]
feed_health_failures = 1

[[feeds]]
id = "private"
url = "{private}?apikey={API_KEY}&lang=en"
interval_secs = 10
record = true

[[feeds]]
id = "moved"
url = "{feeds.url('/moved.rss')}?token={TOKEN}"
interval_secs = 10

[[watches]]
name = "raids"
channels = ["hook", "mail", "file", "open"]
[watches.keywords]
any = ["incursion"]

[[channels]]
name = "hook"
url = "http://127.0.0.1:{hook}/hook"
secret = "{HOOK_SECRET}"

[[channels]]
name = "mail"
url = "smtp://127.0.0.1:{smtp}"
to = ["desk@example.org"]
starttls = "off"

[[channels]]
name = "file"
url = "file://{tmp_path}/alerts.jsonl"

[[channels]]
name = "open"
url = "{feeds.url('/open-hook')}"
""")
    return path


def cli(cfg: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "newswatch", *args, "-c", str(cfg)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout + out.stderr


def health_alert(hook: WebhookReceiver) -> dict | None:
    with hook.lock:
        bodies = [b for _, b in hook.received]
    return next((b for b in bodies if b["alert"]["route"] == "feed-health"), None)


@pytest.mark.slow
def test_feed_url_credentials_appear_nowhere(tmp_path: Path) -> None:
    with (HostileFeeds() as feeds, SmtpSink() as smtp, WebhookReceiver(HOOK_SECRET) as hook):
        feeds.feeds["/private.rss"] = BODY
        feeds.require("/private.rss", "reader", PASSWORD)
        feeds.redirects["/moved.rss"] = f"/gone.rss?token={TOKEN}"
        cfg = config(tmp_path, feeds, smtp.port, hook.port)
        nw = NewswatchProcess(cfg, log=tmp_path / "run.log")
        try:
            nw.wait_ready()
            wait_for(lambda: any(RAID in json.dumps(b) for _, b in hook.received), 60,
                     "the raid alert")
            wait_for(lambda: health_alert(hook), 60, "the feed-health alert")
            wait_for(lambda: len(smtp.messages) >= 2, 30, "both emails")
            wait_for(lambda: (tmp_path / "alerts.jsonl").exists()
                     and len((tmp_path / "alerts.jsonl").read_text().splitlines()) >= 2,
                     30, "both file alerts")
            outputs = [cli(cfg, "feeds"), cli(cfg, "feeds", "--json"), cli(cfg, "alerts", "list"),
                       cli(cfg, "alerts", "dlq", "list")]
            nw.signal(signal.SIGTERM)
            assert nw.wait(60) == 0, nw.log()[-3000:]
        finally:
            nw.kill()
    assert feeds.queries.count(f"/private.rss?apikey={API_KEY}&lang=en") >= 1  # real URL used
    # What is shown says that a credential was there.
    shown = {row["id"]: row for row in map(json.loads, outputs[1].splitlines())}
    assert shown["private"]["url"].startswith("http://***@127.0.0.1:")
    assert shown["private"]["url"].endswith("?apikey=***&lang=en")
    assert "token=***" in shown["moved"]["last_error"]
    assert "token=***" in json.dumps(health_alert(hook))
    log = nw.log()
    assert any("generic webhook without a secret" in m and d.get("channel") == "open"
               for d, m in zip(json_log(log), messages(log), strict=True))
    assert any("entry 1 skipped" in m and "***@127.0.0.1" in m for m in messages(log))

    everything = [log, *outputs]
    data = tmp_path / "data"
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xml" for p in files)  # the recording is among them
    everything += [p.read_bytes().decode("latin-1") for p in files]
    everything += [(tmp_path / "alerts.jsonl").read_text()]
    with hook.lock:
        everything += [json.dumps(b) + json.dumps(h) for h, b in hook.received]
    everything += [m.as_string() for m in smtp.messages]
    blob = "\n".join(everything)
    for secret in SECRETS:
        assert secret not in blob, secret

    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for db in data.glob("*.db"):
        assert stat.S_IMODE(db.stat().st_mode) == 0o600, db
