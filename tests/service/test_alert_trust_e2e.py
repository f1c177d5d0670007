"""Issue 10 end to end: ``newswatch run`` on the embedded bus with a feed server, SMTP and a
signed webhook, and no ``[[routes]]``.

One wire feed reports a raid in one place, later the same sentence about a raid in another place:
two alerts. Another outlet then reports the first raid: one threaded follow-up of the first alert.
Every match is in ``newswatch alerts list --all``, and nothing is suppressed.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from svc_peers import FeedServer, NewswatchProcess, SmtpSink, WebhookReceiver, rss, wait_for

from newswatch.cli import main

SECRET = "whsec-e2e-4410"
SENTENCE = "Gunmen from an armed group crossed the border and attacked a village in {}"
FIRST = ("w1", SENTENCE.format("Tillaberi"), "Residents said the attackers came at dawn.")
SECOND = ("w2", SENTENCE.format("Dosso"), "Residents said the attackers came at dawn.")
THIRD = ("o1", "Village in Tillaberi attacked by gunmen who crossed the border, officials say",
         "Local officials said the gunmen came from across the border at dawn.")


def config(data: Path, feeds: FeedServer, smtp: int, hook: int) -> str:
    return f"""
[service]
data_dir = "{data}"

[classifier]
kind = "keywords"

[alerts]
follow_up_interval_secs = 1

[[feeds]]
id = "wire"
url = "{feeds.url('/wire.rss')}"
interval_secs = 10
jitter_secs = 0

[[feeds]]
id = "other"
url = "{feeds.url('/other.rss')}"
interval_secs = 10
jitter_secs = 0

[[watches]]
name = "raids"
severity = "high"
channels = ["mail", "hook"]
[watches.keywords]
any = ["attacked"]

[[channels]]
name = "mail"
url = "smtp://127.0.0.1:{smtp}"
to = ["desk@example.org"]
from_addr = "newswatch@example.org"
starttls = "off"

[[channels]]
name = "hook"
url = "http://127.0.0.1:{hook}/hook"
secret = "{SECRET}"
"""


def bodies(hook: WebhookReceiver) -> list[dict]:
    with hook.lock:
        return [b for _, b in hook.received]


def event_place(body: dict) -> str | None:
    places = body["alert"]["matches"][0].get("places") or []
    return places[0]["id"] if places else None


@pytest.mark.slow
def test_distinct_raids_two_alerts_and_a_threaded_follow_up(tmp_path: Path, capsys) -> None:
    with FeedServer() as feeds, SmtpSink() as smtp, WebhookReceiver(SECRET) as hook:
        feeds.feeds["/wire.rss"] = rss("Wire", [FIRST])
        feeds.feeds["/other.rss"] = rss("Other", [])
        cfg = tmp_path / "newswatch.toml"
        cfg.write_text(config(tmp_path / "data", feeds, smtp.port, hook.port))
        nw = NewswatchProcess(cfg, log=tmp_path / "run.log")
        try:
            nw.wait_ready()
            wait_for(lambda: len(bodies(hook)) == 1, 60, "the first raid's alert")
            feeds.feeds["/wire.rss"] = rss("Wire", [FIRST, SECOND])
            wait_for(lambda: len(bodies(hook)) == 2, 60, "the second raid's alert")
            feeds.feeds["/other.rss"] = rss("Other", [THIRD])
            wait_for(lambda: len(bodies(hook)) == 3, 60, "the follow-up")
            wait_for(lambda: len(smtp.messages) == 3, 30, "three emails")
            assert nw.metric("newswatch_alert_matches_total", disposition="suppressed") == 0
            assert nw.metric("newswatch_alert_matches_total", disposition="grouped") == 0
            nw.signal(signal.SIGTERM)
            assert nw.wait(60) == 0, nw.log()
        finally:
            nw.kill()

    first, second, third = bodies(hook)
    assert first["type"] == second["type"] == "alert"
    assert [m["article"]["title"] for m in first["alert"]["matches"]] == [FIRST[1]]
    assert [m["article"]["title"] for m in second["alert"]["matches"]] == [SECOND[1]]
    assert first["alert"]["story_id"] != second["alert"]["story_id"]
    assert third["type"] == "follow_up" and third["alert"]["follow_up_of"] == first["alert"]["id"]
    assert third["alert"]["story_id"] == first["alert"]["story_id"]
    if event_place(first):  # where the classifier fills Match.places, they say the same
        assert event_place(first) == event_place(third) != event_place(second)
    mails = {m["X-Newswatch-Alert-Id"]: m for m in smtp.messages}
    reply = mails[third["alert"]["id"]]
    assert reply["In-Reply-To"] == mails[first["alert"]["id"]]["Message-ID"]
    assert reply["Subject"].startswith("[newswatch HIGH] Update:")

    assert main(["alerts", "list", "--all", "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    for alert, title in ((first, FIRST[1]), (second, SECOND[1]), (third, THIRD[1])):
        block = out.split(alert["alert"]["id"] + "  ", 1)[1]
        assert title[:60] in block.split("\n    + ", 2)[1]  # listed under its own alert
    assert out.count("+ alerted") == 2 and out.count("+ follow_up") == 1
    assert "no match outside alerts" in out
