"""One-click feedback links: signed and expiring, in every email and chat message, and a GET
that only shows a confirmation page (mail scanners change nothing); the POST from that page
applies the action and lands in the user corpus."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ui_harness import (
    FEEDBACK_LINK,
    SmtpSink,
    csrf_of,
    links_in,
    mail_channel,
    make_match,
    open_test_bus,
    parse,
    through_alert_stage,
    ui_server,
)

from alerts.payload import payload
from alerts.render import Renderer
from newswatch.config import load_config
from newswatch.config.channels import Templates
from newswatch.links import ACTIONS, LinkError, Links, load_secret, public_base
from newswatch.models import Alert


def test_tokens_are_signed_expiring_and_stable(tmp_path: Path) -> None:
    links = Links(b"k" * 32, "https://nw.example.org/", max_age_secs=3600)
    issued = time.time()
    token = links.token("not_raid", "m1", issued)
    assert links.verify(token) == ("not_raid", "m1")
    assert links.token("not_raid", "m1", issued) == token  # same alert, same link
    assert [k.action for k in links.for_match("m1", issued)] == list(ACTIONS)
    assert links.for_match("m1", issued)[0].url.startswith("https://nw.example.org/act/")
    for bad in (token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), "x" + token, "nonsense"):
        with pytest.raises(LinkError, match="not valid"):
            links.verify(bad)
    with pytest.raises(LinkError, match="expired"):
        links.verify(token, now=issued + 3601)
    with pytest.raises(LinkError):  # another installation's key
        Links(b"q" * 32, "https://nw.example.org").verify(token)
    with pytest.raises(ValueError):
        links.token("delete_everything", "m1", issued)
    # The key: generated once, private, stable; never in the URL base.
    config = parse(f'[service]\ndata_dir = "{tmp_path}"')
    key = load_secret(config)
    assert key == load_secret(config) and len(key) >= 40
    mode = os.stat(tmp_path / "ui-secret.key").st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert public_base(config) == "http://127.0.0.1:8470"  # loopback: links for this machine
    wide = parse('[service]\nhttp_listen = "0.0.0.0:8470"')
    assert public_base(wide) == ""  # no guessing a public address: no links
    assert public_base(parse('[service]\nhttp_listen = "0.0.0.0:8470"\n[ui]\n'
                             'public_url = "https://nw.example.org/"')) == "https://nw.example.org"


def test_chat_and_webhook_messages_carry_the_links() -> None:
    match = make_match(1, "Raid near the river crossing", labels=[("cross_border_raid", 0.9)])
    alert = Alert(id="a1", route="r", matches=(match,), created=datetime(2031, 3, 4, tzinfo=UTC))
    links = Links(b"k" * 32, "https://nw.example.org")
    for kind, shape in (("slack", "<https://nw.example.org/act/"),
                        ("discord", "(https://nw.example.org/act/"),
                        ("teams", "(https://nw.example.org/act/")):
        body = Renderer("c", kind, Templates(), None, links.provider).render_body(alert)
        assert body.count(shape) == len(ACTIONS), kind
        assert "Not a raid" in body
    body = payload(alert, "hook", Renderer("hook", "generic", Templates(), None, links.provider))
    urls = body["alert"]["matches"][0]["feedback_links"]
    assert set(urls) == set(ACTIONS.values())
    assert links.verify(urls["Mute this story"].rsplit("/", 1)[1]) == ("mute", match.id)
    again = payload(alert, "hook", Renderer("hook", "generic", Templates(), None,
                                            links.provider))
    assert json.dumps(again) == json.dumps(body)  # a re-send is byte-identical
    plain = payload(alert, "hook", Renderer("hook", "generic", Templates(), None, None))
    assert plain["alert"]["matches"][0]["feedback_links"] == {}


def test_email_link_confirms_then_records_feedback(tmp_path: Path) -> None:
    with SmtpSink() as smtp:
        path = tmp_path / "newswatch.toml"
        text = f"""
[service]
data_dir = "{tmp_path}/data"
[ui]
retrain = false
[[watches]]
name = "raids"
channels = ["mail"]
labels = {{ cross_border_raid = 0.5 }}
{mail_channel(smtp.port)}
"""
        path.write_text(text)
        config = load_config(path, environ={})
        with ui_server(config, config_path=path) as ui:
            # The alert stage renders links with the UI's address as the public URL.
            path.write_text(text.replace("[ui]", f'[ui]\npublic_url = "{ui.base}"'))
            config = ui.config = load_config(path, environ={})
            m = make_match(1, "Armed men cross the border river and attack a post",
                           watch="raids", labels=[("cross_border_raid", 0.97)])
            with open_test_bus(config) as bus:
                through_alert_stage(config, bus, [m])
            (message,) = smtp.messages
            found = links_in(message)
            assert set(found) == set(ACTIONS.values())
            html = message.get_body(preferencelist=("html",)).get_content()
            assert set(FEEDBACK_LINK.findall(html)) == set(found.values())
            corpus = tmp_path / "data" / "corpus" / "user.jsonl"
            with ui.client() as http:
                # A scanner (or a person) opening the link changes nothing.
                for url in found.values():
                    page = http.get(url)
                    assert page.status_code == 200 and "Nothing changes until" in page.text
                assert not corpus.exists()
                assert "feedback:" not in http.get("/").text
                url = found["Not a raid"]
                assert http.post(url, data={}).status_code == 403  # no CSRF token
                r = http.post(url, data={"csrf": csrf_of(http.get(url).text)})
                assert r.status_code == 200 and "Recorded: Not a raid" in r.text
                (entry,) = [json.loads(line) for line in corpus.read_text().splitlines()]
                assert entry["id"] == f"user-{m.article.id}" and entry["title"] == m.article.title
                assert entry["feedback"] == {"label": [], "not": ["cross_border_raid"]}
                assert "cross_border_raid" not in entry["labels"]
                again = http.post(url, data={"csrf": csrf_of(http.get(url).text)})
                assert "Already recorded" in again.text
                assert len(corpus.read_text().splitlines()) == 1
                page = http.get(f"/match/{m.id}").text
                assert "Not a raid</b> by local via link" in page
                # A damaged link is refused.
                bad = http.get(url[:-3] + "zzz")
                assert bad.status_code == 400 and "Nothing was changed" in bad.text
