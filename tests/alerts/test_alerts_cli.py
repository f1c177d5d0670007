"""``newswatch alerts list`` and ``newswatch alerts dlq list|retry`` on a real ledger."""

from __future__ import annotations

import pytest
from alert_harness import Harness, config_text, make_match

from newswatch.cli import main


def test_list_dlq_and_retry(tmp_path, webhook, capsys):
    webhook.plan = ["404", "404"]
    text = config_text(tmp_path, f"""
[[channels]]
name = "hook"
url = "{webhook.url}"
secret = "hmac-key-Zq81"
[[channels]]
name = "file"
url = "file://{tmp_path}/alerts.jsonl"
""", watch_channels='["hook", "file"]')
    cfg = tmp_path / "nw.toml"
    cfg.write_text(text)
    h = Harness(tmp_path, text)
    h.publish(make_match(1, title="Flood warning for the Amber river"),
              make_match(2, title="Harbour closed at Pelt after storm surge"))
    h.drain()
    assert h.states("hook") == {"dead": 2} and h.states("file") == {"sent": 2}

    assert main(["alerts", "list", "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "Flood warning for the Amber river" in out and "Harbour closed at Pelt" in out
    assert out.count(" dead ") == 2 and out.count(" sent ") == 2 and "HTTP 404" in out
    assert "deliveries: sent=2, pending=0, queued=0, dead=2" in out

    assert main(["alerts", "dlq", "list", "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "2 dead-lettered deliveries" in out
    first = out.split()[0]

    assert main(["alerts", "dlq", "retry", "-c", str(cfg)]) == 2  # says what to retry
    assert main(["alerts", "dlq", "retry", first, "-c", str(cfg)]) == 0
    assert "re-queued 1 deliveries" in capsys.readouterr().out
    h.stage.clock.now = 4e9  # the CLI stamped the retry with the real time
    h.stage.pump()
    assert h.states("hook") == {"dead": 1, "sent": 1} and list(webhook.accepted) == [first]
    assert main(["alerts", "dlq", "retry", "--all", "-c", str(cfg)]) == 0
    h.stage.pump()
    assert h.states("hook") == {"sent": 2}
    h.close()


def test_list_without_ledger_says_so(tmp_path, capsys):
    cfg = tmp_path / "nw.toml"
    cfg.write_text(config_text(tmp_path, ""))
    with pytest.raises(SystemExit) as exc:
        main(["alerts", "list", "-c", str(cfg)])
    assert exc.value.code == 1
    assert "no delivery ledger" in capsys.readouterr().err


def test_dlq_list_shows_titles(tmp_path, webhook, capsys):
    webhook.plan = ["404"]
    text = config_text(tmp_path, f"""
[[channels]]
name = "hook"
url = "{webhook.url}"
secret = "hmac-key-Zq81"
""", watch_channels='["hook"]')
    cfg = tmp_path / "nw.toml"
    cfg.write_text(text)
    h = Harness(tmp_path, text)
    h.publish(make_match(7, title="Ferry strike halts crossings to Lusk island"))
    h.drain()
    assert h.states("hook") == {"dead": 1}
    assert main(["alerts", "dlq", "list", "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "Ferry strike halts crossings to Lusk island" in out
    assert "HTTP 404" in out and "1 dead-lettered deliveries" in out
    h.close()
