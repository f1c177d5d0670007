"""Ledger-driven delivery: retries with backoff, Retry-After, dead letters, rate limits.

Time is a fake clock handed to the stage, so backoff and rate limits are checked by state, not
by measuring time.
"""

from __future__ import annotations

from alert_harness import Harness, config_text, make_match
from nw_waits import free_port


def hook(receiver, name="hook", extra="") -> str:
    return f"""
[[channels]]
name = "{name}"
url = "{receiver.url}"
secret = "hmac-key-Zq81"
timeout_secs = 0.5
backoff_base_secs = 10
max_attempts = 4
{extra}
"""


def mail(server, tls_cert, name="mail", to="ops@x.test") -> str:
    return f"""
[[channels]]
name = "{name}"
url = "smtp://alice@127.0.0.1:{server.port}?to={to}&from=nw@x.test"
password = "s3cret-smtp-pw"
ca_file = "{tls_cert[0]}"
backoff_base_secs = 10
"""


def attempts(h, channel):
    return h.stage.ledger.conn.execute(
        "SELECT attempts, next_attempt, last_error FROM deliveries WHERE channel=?", (channel,)
    ).fetchall()


def test_server_error_is_retried_with_backoff_then_delivered_once(tmp_path, webhook):
    webhook.plan = ["500", "503"]
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(make_match(1))
    h.drain()
    (n, nxt, err), = attempts(h, "hook")
    assert n == 1 and "HTTP 500" in err and h.states("hook") == {"pending": 1}
    assert 5 <= nxt - h.clock.now <= 10  # base 10 s with jitter in [0.5, 1]
    h.stage.pump()
    assert attempts(h, "hook")[0][0] == 1  # not due yet: nothing sent early
    h.clock.advance(10)
    h.stage.pump()
    (n, nxt, err), = attempts(h, "hook")
    assert n == 2 and "HTTP 503" in err and 10 <= nxt - h.clock.now <= 20  # doubled
    h.clock.advance(20)
    h.stage.pump()
    assert h.states("hook") == {"sent": 1}
    assert list(webhook.accepted.values()) == [1] and webhook.requests == 3
    h.close()


def test_429_retry_after_holds_the_whole_channel(tmp_path, webhook):
    webhook.plan = ["429:120"]
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(make_match(1), make_match(2))
    h.drain()
    assert h.states("hook") == {"pending": 2}
    assert webhook.requests == 1  # the second alert waited too
    (n, nxt, err), = [r for r in attempts(h, "hook") if r[0] == 1]
    assert "HTTP 429" in err and nxt - h.clock.now == 120
    h.clock.advance(60)
    h.stage.pump()
    assert webhook.requests == 1
    h.clock.advance(61)
    h.stage.pump()
    assert h.states("hook") == {"sent": 2} and sum(webhook.accepted.values()) == 2
    h.close()


def test_timeout_is_retried(tmp_path, webhook):
    webhook.plan = ["timeout:1.5"]
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(make_match(1))
    h.drain()
    assert "timed out" in attempts(h, "hook")[0][2]
    h.clock.advance(30)
    h.stage.pump()
    assert h.states("hook") == {"sent": 1} and len(webhook.accepted) == 1
    h.close()


def test_client_error_goes_to_dead_letters_and_dlq_retry_delivers(tmp_path, webhook):
    webhook.plan = ["404"]
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(make_match(1))
    h.drain()
    assert h.states("hook") == {"dead": 1}
    (dead,) = h.stage.ledger.dead_letters()
    assert "HTTP 404" in dead.last_error and dead.attempts == 1
    assert h.stage.ledger.retry_dead(h.clock.now, [dead.alert_id]) == 1
    h.stage.pump()
    assert h.states("hook") == {"sent": 1} and list(webhook.accepted) == [dead.alert_id]
    h.close()


def test_attempts_are_bounded(tmp_path, webhook):
    webhook.plan = ["500"] * 10
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook), watch_channels='["hook"]'))
    h.publish(make_match(1))
    h.drain()
    for _ in range(6):
        h.clock.advance(3600)
        h.stage.pump()
    assert h.states("hook") == {"dead": 1} and webhook.requests == 4  # max_attempts = 4
    h.close()


def test_rejected_recipient_is_dead_lettered_and_tempfail_retried(tmp_path, smtp_server, tls_cert):
    smtp_server.reject = {"nobody@x.test"}
    smtp_server.tempfail = 1
    channels = mail(smtp_server, tls_cert, "ok") + mail(smtp_server, tls_cert, "bad",
                                                         to="nobody@x.test")
    h = Harness(tmp_path, config_text(tmp_path, channels, watch_channels='["ok", "bad"]'))
    h.publish(make_match(1))
    h.drain()
    states = {c: h.states(c) for c in ("ok", "bad")}
    # whichever went first met the 451: it is retried; the rejected one is dead at once
    assert states["bad"] == {"dead": 1}
    assert states["ok"] in ({"pending": 1}, {"sent": 1})
    h.clock.advance(60)
    h.stage.pump()
    assert h.states("ok") == {"sent": 1} and len(smtp_server.messages) == 1
    assert "550" in h.stage.ledger.dead_letters()[0].last_error
    h.close()


def test_wrong_password_is_permanent(tmp_path, smtp_server, tls_cert):
    text = config_text(tmp_path, mail(smtp_server, tls_cert), watch_channels='["mail"]')
    h = Harness(tmp_path, text, environ={"NEWSWATCH_CHANNELS__MAIL__PASSWORD": "wrong-pw-31"})
    h.publish(make_match(1))
    h.drain()
    assert h.states("mail") == {"dead": 1} and smtp_server.auth_failures >= 1
    assert "login failed (535)" in h.stage.ledger.dead_letters()[0].last_error
    h.close()


def test_a_failing_channel_does_not_hold_up_another(tmp_path, webhook, smtp_server, tls_cert):
    dead_port = free_port()
    channels = mail(smtp_server, tls_cert) + f"""
[[channels]]
name = "down"
url = "http://127.0.0.1:{dead_port}/hook"
timeout_secs = 0.5
"""
    h = Harness(tmp_path, config_text(tmp_path, channels, watch_channels='["down", "mail"]'))
    h.publish(*[make_match(i) for i in range(5)])
    h.drain()
    assert h.states("mail") == {"sent": 5} and len(smtp_server.messages) == 5
    assert h.states("down") == {"pending": 5}
    tried = [r for r in attempts(h, "down") if r[0]]
    # one request per backoff step while the channel is down, not one per waiting alert
    assert len(tried) == 1 and "connection failed" in tried[0][2]
    h.close()


def test_rate_limit_token_bucket(tmp_path, webhook):
    extra = "rate_limit = { per_minute = 6, burst = 2 }"
    h = Harness(tmp_path, config_text(tmp_path, hook(webhook, extra=extra),
                                      watch_channels='["hook"]'))
    h.publish(*[make_match(i) for i in range(5)])
    h.drain()
    assert sum(webhook.accepted.values()) == 2 and h.states("hook") == {"sent": 2, "pending": 3}
    h.clock.advance(5)  # half a token
    h.stage.pump()
    assert sum(webhook.accepted.values()) == 2
    h.clock.advance(5)  # one token
    h.stage.pump()
    assert sum(webhook.accepted.values()) == 3
    h.clock.advance(600)  # bucket refills only up to the burst
    h.stage.pump()
    assert sum(webhook.accepted.values()) == 5 and h.states("hook") == {"sent": 5}
    h.close()
