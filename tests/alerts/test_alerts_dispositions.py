"""Nothing is suppressed silently (issue 10, item 2): every match that makes no message of its
own has a disposition with its reason in the ledger, a log line at INFO, a counter by reason in
/metrics, and a line in ``newswatch alerts list --all`` beside the alert it joined."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from alert_harness import Harness, config_text, make_match
from prometheus_client import REGISTRY

from newswatch.cli import main

FLOOD = [("feed-a", "Floods hit northern Valdoria, thousands evacuated"),
         ("feed-b", "Thousands evacuated as floods hit Valdoria's north"),
         ("feed-c", "Valdoria floods: thousands flee northern towns")]


def hook(receiver, extra="") -> str:
    return (f'[[channels]]\nname = "hook"\nurl = "{receiver.url}"\nsecret = "hmac-key-Zq81"\n'
            f"{extra}\n")


def story(i: int):
    return make_match(f"s{i}", title=FLOOD[i][1], feed=FLOOD[i][0])


def counted(disposition: str) -> float:
    return REGISTRY.get_sample_value("newswatch_alert_matches_total",
                                     {"disposition": disposition}) or 0.0


def deferred(reason: str, channel: str) -> float:
    return REGISTRY.get_sample_value("newswatch_alert_deliveries_deferred_total",
                                     {"reason": reason, "channel": channel}) or 0.0


def rows(h):
    return h.stage.ledger.conn.execute(
        "SELECT match_id, disposition, alert_id, reason FROM dispositions ORDER BY received, "
        "match_id").fetchall()


def test_grouped_reports_are_recorded_logged_counted_and_listed(tmp_path, webhook, caplog,
                                                                 capsys):
    text = config_text(tmp_path, hook(webhook), watch_channels='["hook"]')
    (tmp_path / "nw.toml").write_text(text)
    h = Harness(tmp_path, text)
    before = counted("grouped"), counted("alerted")
    with caplog.at_level(logging.INFO, logger="newswatch.alert"):
        h.publish(story(0), story(1), story(2))
        h.drain()
    (body,) = webhook.bodies
    alert_id = body["alert"]["id"]
    lead = body["alert"]["matches"][0]["id"]  # arrived together: the first in id order leads
    got = {m: (d, a) for m, d, a, _ in rows(h)}
    assert got == {s.id: ("alerted" if s.id == lead else "grouped", alert_id)
                   for s in (story(0), story(1), story(2))}
    assert counted("grouped") - before[0] == 2 and counted("alerted") - before[1] == 1
    grouped_logs = [r for r in caplog.records if ": grouped: " in r.getMessage()]
    assert len(grouped_logs) == 2 and all(r.levelno == logging.INFO for r in grouped_logs)
    assert all(r.alert_id == alert_id for r in grouped_logs)

    assert main(["alerts", "list", "--all", "-c", str(tmp_path / "nw.toml")]) == 0
    out = capsys.readouterr().out
    block = out.split(alert_id, 1)[1]
    assert block.count("+ grouped") == 2 and "+ alerted" in block
    assert all(t[:40] in block for _, t in FLOOD) and "same story as" in block
    h.close()


def test_matches_without_a_route_are_recorded_and_listed(tmp_path, capsys):
    text = config_text(tmp_path, "")  # the watch has no channels and there are no routes
    (tmp_path / "nw.toml").write_text(text)
    h = Harness(tmp_path, text)
    before = counted("no_route")
    h.publish(make_match(1, title="Flood warning for the Amber river"))
    h.drain()
    h.publish(make_match(1, title="Flood warning for the Amber river"))  # redelivered: once
    h.drain()
    ((_, disposition, alert_id, reason),) = rows(h)
    assert (disposition, alert_id) == ("no_route", None) and "watch w" in reason
    assert counted("no_route") - before == 1
    assert main(["alerts", "list", "--all", "-c", str(tmp_path / "nw.toml")]) == 0
    out = capsys.readouterr().out
    assert "1 recent matches in no alert" in out and "no_route" in out and "Amber" in out
    h.close()


def test_a_muted_story_makes_no_message_but_every_match_says_so(tmp_path, webhook, capsys):
    text = config_text(tmp_path, hook(webhook), watch_channels='["hook"]')
    (tmp_path / "nw.toml").write_text(text)
    h = Harness(tmp_path, text)
    h.publish(story(0))
    h.drain()
    sid = webhook.bodies[0]["alert"]["story_id"]
    h.stage.ledger.mute("story", sid, h.clock.now + 3600, h.clock.now, "covered by the desk")
    before = counted("muted")
    h.clock.advance(600)
    h.publish(story(1))
    h.drain()
    assert len(webhook.bodies) == 1
    (_, disposition, alert_id, reason) = rows(h)[-1]
    assert disposition == "muted" and alert_id is None
    assert f"story {sid} muted until" in reason and "covered by the desk" in reason
    assert counted("muted") - before == 1
    # after the mute ends, the story's next report is a follow-up again
    h.clock.advance(3600)
    h.publish(story(2))
    h.drain()
    assert [b["type"] for b in webhook.bodies] == ["alert", "follow_up"]
    h.close()


def test_mute_and_unmute_from_the_cli(tmp_path, capsys):
    text = config_text(tmp_path, "")
    (tmp_path / "nw.toml").write_text(text)
    h = Harness(tmp_path, text)  # creates the ledger
    cfg = str(tmp_path / "nw.toml")
    assert main(["alerts", "mute", "--watch", "w", "--hours", "2", "-c", cfg]) == 0
    mute_id = capsys.readouterr().out.split("(id ")[1].split(";")[0]
    assert main(["alerts", "mute", "-c", cfg]) == 0
    assert f"{mute_id}  watch w until" in capsys.readouterr().out
    assert main(["alerts", "unmute", mute_id, "-c", cfg]) == 0
    assert main(["alerts", "mute", "-c", cfg]) == 0
    assert "0 active mutes" in capsys.readouterr().out
    h.close()


def test_quiet_hours_and_rate_limits_are_logged_and_counted(tmp_path, webhook, caplog):
    extra = """
[[routes]]
name = "night"
watches = ["w"]
channels = ["hook"]
group_wait_secs = 0
[routes.quiet_hours]
start = "22:00"
end = "07:00"
"""
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook, "rate_limit = { per_minute = 1 }"),
                                      extra))
    h.clock.now = datetime(2031, 3, 4, 23, 0, tzinfo=UTC).timestamp()
    quiet, limited = deferred("quiet_hours", "hook"), deferred("rate_limited", "hook")
    with caplog.at_level(logging.INFO, logger="newswatch.alert"):
        h.publish(make_match(1, title="Flood warning for the Amber river"),
                  make_match(2, title="Harbour closed at Pelt after storm surge"))
        h.step()
        assert webhook.bodies == [] and deferred("quiet_hours", "hook") - quiet == 2
        h.clock.now = datetime(2031, 3, 5, 7, 0, tzinfo=UTC).timestamp()
        h.step()
        h.step()  # still limited: said once, not on every loop
    assert len(webhook.bodies) == 1 and deferred("rate_limited", "hook") - limited == 1
    texts = [r.getMessage() for r in caplog.records]
    assert sum("held on hook by quiet hours until 2031-03-05 07:00 UTC" in t for t in texts) == 2
    assert sum("delayed on hook by its rate limit" in t for t in texts) == 1
    (note,) = h.stage.ledger.conn.execute(
        "SELECT note FROM deliveries WHERE state='pending'").fetchone()
    assert note == "delayed: rate limit"
    h.clock.advance(61)
    h.step()
    assert len(webhook.bodies) == 2
    h.close()
