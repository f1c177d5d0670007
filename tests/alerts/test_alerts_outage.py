"""Long channel outages need no operator: alerts keep waiting with a capped backoff for
``give_up_after_secs`` (default a day), an outage costs one request per backoff step, and dead
letters are re-driven when the channel answers again (a probe, or any confirmed delivery).

A fake clock drives the stage; the webhook receiver is real and fails on demand."""

from __future__ import annotations

import logging

from alert_harness import Harness, config_text, make_match

from newswatch import metrics


def hook(receiver, extra: str = "") -> str:
    return f"""
[[channels]]
name = "hook"
url = "{receiver.url}"
secret = "hmac-key-Zq81"
timeout_secs = 10  # the receiver answers at once; a short timeout only adds flakes under load
{extra}
"""


def run_for(h: Harness, secs: float, step: float) -> None:
    for _ in range(int(secs / step)):
        h.clock.advance(step)
        h.stage.pump()


def dead_notes(h: Harness) -> list[str]:
    return [r[0] for r in h.stage.ledger.conn.execute(
        "SELECT note FROM deliveries WHERE state='dead'")]


def test_outage_of_hours_waits_then_gives_up_then_redrives(tmp_path, webhook, caplog) -> None:
    caplog.set_level(logging.INFO, "newswatch.alert")
    webhook.plan = ["503"] * 10_000
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(*[make_match(i) for i in range(3)])
    h.drain()
    run_for(h, 3 * 3600, 60)  # three hours down: the default used to give up after ~15 min
    assert h.states("hook") == {"pending": 3}
    assert webhook.requests <= 25  # one per backoff step (capped at 15 min), not per alert
    assert h.stage.senders["hook"].blocked_until > h.clock.now - 1

    run_for(h, 22 * 3600, 900)  # past a day: dead-lettered as "gave up", re-drivable
    assert h.states("hook") == {"dead": 3} and set(dead_notes(h)) == {"gave up"}
    requests = webhook.requests

    redriven = metrics.ALERTS_REDRIVEN.labels("hook")._value.get()
    webhook.plan.clear()  # the channel is back; no new alert arrives: a probe finds out
    run_for(h, 1800, 60)
    assert h.states("hook") == {"sent": 3}
    assert sorted(webhook.accepted.values()) == [1, 1, 1]
    assert webhook.requests == requests + 3  # the probe, then the two re-driven ones
    assert metrics.ALERTS_REDRIVEN.labels("hook")._value.get() - redriven == 2
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for step in ("hook is failing", "retry in", "gave up after 86400s of failures",
                 "probing with dead-lettered alert", "answers again after",
                 "2 dead letters re-driven"):
        assert step in logged, step
    h.close()


def test_a_new_delivery_redrives_up_to_the_cap(tmp_path, webhook) -> None:
    webhook.plan = ["500"] * 10_000
    text = config_text(tmp_path, hook(webhook, "give_up_after_secs = 3600\nredrive_dead_max = 2"),
                       watch_channels='["hook"]')
    h = Harness(tmp_path, text)
    h.publish(*[make_match(i) for i in range(4)])
    h.drain()
    run_for(h, 2 * 3600, 300)
    assert h.states("hook") == {"dead": 4}
    webhook.plan.clear()
    h.publish(make_match(99))  # any confirmed delivery shows the channel answers again
    h.drain()
    assert h.states("hook") == {"pending": 1, "dead": 4}  # waits out the channel's backoff
    run_for(h, 900, 60)
    assert h.states("hook") == {"sent": 3, "dead": 2}  # the new one, then 2 re-driven (cap)


def test_a_failed_probe_goes_back_to_the_dead_letters(tmp_path, webhook) -> None:
    webhook.plan = ["503"] * 10_000
    text = config_text(tmp_path, hook(webhook, "give_up_after_secs = 600"),
                       watch_channels='["hook"]')
    h = Harness(tmp_path, text)
    h.publish(make_match(1))
    h.drain()
    run_for(h, 1200, 60)
    assert h.states("hook") == {"dead": 1}
    before = webhook.requests
    run_for(h, 3600, 60)  # still down: about one probe per backoff_max_secs (900 s)
    assert h.states("hook") == {"dead": 1} and set(dead_notes(h)) == {"gave up"}
    assert 3 <= webhook.requests - before <= 5
