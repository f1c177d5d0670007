from alert_harness import Harness, config_text, make_match


def test_smoke(tmp_path, webhook, smtp_server, tls_cert):
    channels = f"""
[[channels]]
name = "hook"
url = "{webhook.url}"
secret = "hmac-key-Zq81"

[[channels]]
name = "mail"
url = "smtp://alice@127.0.0.1:{smtp_server.port}?to=ops@example.test,desk@example.test&from=nw@example.test"
password = "s3cret-smtp-pw"
ca_file = "{tls_cert[0]}"
"""
    h = Harness(tmp_path, config_text(tmp_path, channels, watch_channels='["hook", "mail"]'))
    h.publish(make_match(1), make_match(2))
    assert h.drain() == 2
    assert h.states("hook") == {"sent": 2}
    assert h.states("mail") == {"sent": 2}
    assert len(webhook.accepted) == 2
    assert len(smtp_server.messages) == 2
    print(smtp_server.messages[0][2])
    print(webhook.bodies[0])
    h.close()
