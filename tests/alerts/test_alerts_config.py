"""Channel URLs, secrets from env/file, masking, routes and their cross-references."""

import pytest

from newswatch.config import ConfigError, parse_config

MAIL = """
[[channels]]
name = "ops-mail"
url = "smtp://bob:url-pw-9911@mail.example.test:587?to=a@x.test,b@y.test&from=nw@x.test"
"""


def test_smtp_url_parts_and_env_password_wins_and_is_masked():
    cfg = parse_config(MAIL, environ={"NEWSWATCH_CHANNELS__OPS_MAIL__PASSWORD": "env-pw-4242"})
    ch = cfg.channels[0]
    assert ch.kind == "email"
    assert ch.recipients() == ["a@x.test", "b@y.test"]
    assert ch.password_value() == "env-pw-4242"
    assert ch.masked_url() == "smtp://bob:***@mail.example.test:587?to=a@x.test,b@y.test&from=nw@x.test"
    for text in (repr(ch), str(ch), repr(cfg)):
        assert "env-pw-4242" not in text and "url-pw-9911" not in text


def test_password_and_secret_files(tmp_path):
    pw, sec = tmp_path / "pw", tmp_path / "sec"
    pw.write_text("file-pw-77\n")
    sec.write_text("file-hmac-88\n")
    cfg = parse_config(f"""
[[channels]]
name = "m"
url = "smtps://bob@mail.example.test"
to = ["a@x.test"]
password_file = "{pw}"
[[channels]]
name = "h"
url = "https://hooks.example.test/in?token=tok-secret-1&team=ops"
secret_file = "{sec}"
""", environ={})
    m, h = cfg.channels
    assert m.password_value() == "file-pw-77" and h.secret_value() == "file-hmac-88"
    assert h.masked_url() == "https://hooks.example.test/in?token=***&team=ops"
    assert "tok-secret-1" in h.secrets()


@pytest.mark.parametrize("url,kind,masked", [
    ("slack://hooks.slack.com/services/T0A/B0B/abcdefSECRET", "slack",
     "slack://hooks.slack.com/services/T0A/B0B/ab***"),
    ("discord://discord.com/api/webhooks/1234567890/tokTOKENtok", "discord",
     "discord://discord.com/api/webhooks/12***/to***"),
    ("teams://prod.example.test/workflows/abcdef123456/triggers/manual/paths/invoke?sig=SIGSECRET",
     "teams", "teams://prod.example.test/workflows/ab***/triggers/manual/paths/invoke?sig=***"),
])
def test_chat_urls_are_masked(url, kind, masked):
    ch = parse_config(f'[[channels]]\nname = "c"\nurl = "{url}"\n', environ={}).channels[0]
    assert ch.kind == kind and ch.masked_url() == masked


def test_explicit_format_on_https_url():
    ch = parse_config('[[channels]]\nname = "c"\nurl = "http://127.0.0.1:9/x"\nformat = "teams"\n',
                      environ={}).channels[0]
    assert ch.kind == "teams"


def test_bad_channel_and_route_references_name_the_key():
    text = """
[[channels]]
name = "c"
url = "gopher://x"
[[channels]]
name = "m"
url = "smtp://mail.example.test"
[[routes]]
name = "r"
channels = ["nope"]
group_by = ["colour"]
"""
    with pytest.raises(ConfigError) as err:
        parse_config(text, "t.toml", environ={})
    msg = str(err.value)
    assert "t.toml:4: channels[0].url" in msg and "gopher" in msg
    assert "channels[1]" in msg and "recipients" in msg
    assert "routes[0].group_by" in msg and "colour" in msg


def test_route_channel_cross_reference():
    text = """
[[channels]]
name = "c"
url = "console://"
[[routes]]
name = "r"
channels = ["c", "missing"]
[routes.quiet_hours]
start = "22:00"
end = "07:00"
timezone = "Europe/Berlin"
"""
    with pytest.raises(ConfigError, match=r"routes\[0\].channels\[1\]: no channel named 'missing'"):
        parse_config(text, environ={})
