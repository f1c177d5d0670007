"""No secret in any log line, error message, ledger entry, CLI output or delivered body.

Secrets come from the config file, the environment and a file; deliveries succeed, fail,
retry and dead-letter; everything the process emits is then searched for every secret.
"""

from __future__ import annotations

import logging

from alert_harness import Harness, config_text, make_match
from nw_waits import free_port

from newswatch.cli import main as cli_main

SMTP_PW = "pw-Secret-7fK2q"
HMAC = "hmac-Secret-Lp90"
SLACK_TOKEN = "slackTokenSecret99"
QUERY_TOKEN = "queryTokenSecret42"
FILE_PW = "filePwSecret31"
SECRETS = (SMTP_PW, HMAC, SLACK_TOKEN, QUERY_TOKEN, FILE_PW)


def test_secrets_never_leak(tmp_path, webhook, tls_cert, caplog, capsys):
    from alert_servers import SmtpServer

    webhook.secret = HMAC
    webhook.plan = ["500", "404"]
    server = SmtpServer(free_port(), tls_cert, user="alice", password=SMTP_PW,
                        require_starttls=True).start()
    pw_file = tmp_path / "pw"
    pw_file.write_text(FILE_PW)
    dead = free_port()
    channels = f"""
[[channels]]
name = "mail"
url = "smtp://alice@127.0.0.1:{server.port}?to=ops@x.test&from=nw@x.test"
ca_file = "{tls_cert[0]}"
[[channels]]
name = "badmail"
url = "smtp://alice:{FILE_PW}@127.0.0.1:{server.port}?to=ops@x.test"
ca_file = "{tls_cert[0]}"
[[channels]]
name = "hook"
url = "{webhook.url}?token={QUERY_TOKEN}"
timeout_secs = 0.5
[[channels]]
name = "slack"
url = "http://127.0.0.1:{dead}/services/T0/B0/{SLACK_TOKEN}"
format = "slack"
timeout_secs = 0.5
[[channels]]
name = "down"
url = "smtp://alice@127.0.0.1:{dead}?to=ops@x.test"
password_file = "{pw_file}"
"""
    env = {"NEWSWATCH_CHANNELS__MAIL__PASSWORD": SMTP_PW, "NEWSWATCH_CHANNELS__HOOK__SECRET": HMAC}
    caplog.set_level(logging.DEBUG)
    text = config_text(tmp_path, channels,
                       watch_channels='["mail", "badmail", "hook", "slack", "down"]')
    h = Harness(tmp_path, text, environ=env)
    h.publish(make_match(1), make_match(2, title="Flood report " + "x" * 50))
    h.drain()
    h.clock.advance(3600)
    h.stage.pump()
    assert h.states("mail") == {"sent": 2} and h.states("badmail") == {"dead": 2}
    assert h.states("hook") == {"sent": 1, "dead": 1}
    assert h.states("slack") == {"pending": 2} and h.states("down") == {"pending": 2}
    assert webhook.bad_signatures == 0  # the env secret signed the requests

    emitted = [r.getMessage() for r in caplog.records]
    emitted += [repr(r.__dict__) for r in caplog.records]
    emitted += [str(ch) for ch in h.stage.channels.values()]
    emitted += [c.masked_url() for c in h.config.channels] + [repr(h.config)]
    emitted += [row[0] for row in h.stage.ledger.conn.execute("SELECT last_error FROM deliveries")]
    emitted += [b.decode() for b in webhook.raw] + [str(hd) for hd in webhook.headers]
    emitted += [m.as_string() for _, _, m in server.messages]
    config_file = tmp_path / "nw.toml"
    config_file.write_text(text)
    for args in (["alerts", "list"], ["alerts", "dlq", "list"]):
        assert cli_main([*args[:-1], args[-1], "-c", str(config_file)]) == 0
    out = capsys.readouterr()
    emitted += [out.out, out.err]
    assert "HTTP 404" in out.out and "login failed" in out.out
    h.close()
    server.stop()
    blob = "\n".join(emitted)
    assert "connection failed" in blob and "***" in blob
    for secret in SECRETS:
        assert secret not in blob, secret
