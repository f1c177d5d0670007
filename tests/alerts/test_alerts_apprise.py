"""Apprise URLs as channels (issue 10, item 9): clear config errors, masked secrets, and the
stage's ledger, retry and dead-letter guarantees around a real loopback receiver."""

from __future__ import annotations

import sys

import pytest
from alert_harness import Harness, config_text, make_match

from newswatch.config import ConfigError, parse_config

TOKEN = "AAHsecretBotToken123"


def one_channel(url: str, **extra) -> str:
    lines = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in extra.items())
    return f'[[channels]]\nname = "push"\nurl = "{url}"\n{lines}'


def test_apprise_url_without_the_extra_is_a_clear_config_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "apprise", None)  # as if the extra were not installed
    with pytest.raises(ConfigError) as err:
        parse_config(one_channel(f"tgram://123456789:{TOKEN}/987654"), "nw.toml", {})
    text = str(err.value)
    assert "nw.toml:3: channels[0].url" in text and "'tgram'" in text
    assert "pip install 'newswatch[apprise]'" in text and TOKEN not in text


def test_unknown_scheme_names_the_built_in_ones():
    with pytest.raises(ConfigError) as err:
        parse_config(one_channel("smpt://alice@mail.example.org"), "nw.toml", {})
    assert "unknown channel scheme 'smpt'" in str(err.value) and "smtps" in str(err.value)


@pytest.mark.parametrize("url,secret", [
    (f"tgram://123456789:{TOKEN}/987654", TOKEN),
    ("ntfys://alice:pa55-w0rd-x@ntfy.example.org/raids", "pa55-w0rd-x"),
    ("json://127.0.0.1:9/hook?+X-Token=hdr-secret-77", "hdr-secret-77"),
    ("pover://userkey0123456789@apptoken0123456789", "apptoken0123456789"),
])
def test_secrets_are_masked_like_the_native_channels(url, secret):
    from alerts.channels import open_channel

    cfg = parse_config(one_channel(url), "nw.toml", {}).channels[0]
    assert cfg.kind == "apprise"
    assert secret not in cfg.masked_url() and secret in cfg.secrets()
    assert secret not in str(open_channel(cfg)) and secret not in repr(cfg)


def hook(receiver, extra: str = "") -> str:
    port = receiver.server.server_address[1]
    return one_channel(f"json://alice:pa55-w0rd-x@127.0.0.1:{port}/hook", timeout_secs=2.0,
                       backoff_base_secs=10.0, max_attempts=3) + extra


@pytest.fixture
def receiver():
    from alert_servers import WebhookReceiver

    r = WebhookReceiver().start()
    yield r
    r.stop()


def test_server_errors_are_retried_and_delivered_once_through_the_ledger(tmp_path, receiver):
    receiver.plan = ["503"]
    h = Harness(tmp_path, config_text(tmp_path, hook(receiver), watch_channels='["push"]'))
    h.publish(make_match(1, title="Flood warning for the Amber river"))
    h.drain()
    (attempts, error), = h.stage.ledger.conn.execute(
        "SELECT attempts, last_error FROM deliveries WHERE channel='push'").fetchall()
    assert attempts == 1 and h.states("push") == {"pending": 1}
    assert "503" in error and "pa55-w0rd-x" not in error
    h.clock.advance(10)
    h.stage.pump()
    assert h.states("push") == {"sent": 1}
    (body,) = receiver.bodies
    assert body["title"].startswith("[newswatch] Flood warning for the Amber river")
    assert "Flood warning for the Amber river" in body["message"]
    assert list(receiver.accepted) == [receiver.headers[0]["Idempotency-Key"]]
    h.close()


def test_a_permanent_refusal_is_dead_lettered_with_a_masked_error(tmp_path, receiver):
    receiver.plan = ["404"]
    h = Harness(tmp_path, config_text(tmp_path, hook(receiver), watch_channels='["push"]'))
    h.publish(make_match(1, title="Flood warning for the Amber river"))
    h.drain()
    assert h.states("push") == {"dead": 1}
    (dead,) = h.stage.ledger.dead_letters()
    assert "404" in dead.last_error and "pa55-w0rd-x" not in dead.last_error
    assert "json://alice:****@127.0.0.1" in dead.last_error
    h.close()
