"""Hostile titles and links in alerts: only http(s) becomes a link, chat mentions stay text."""

from __future__ import annotations

import json

from alert_harness import make_match

from alerts.email import EmailChannel
from alerts.payload import payload
from alerts.render import Renderer
from alerts.webhook import WebhookChannel
from newswatch.config.channels import ChannelConfig, Templates
from newswatch.models import Alert

TITLE = "<@U024BE7LH> <!channel> @everyone <@&81234> <#C42> flood at the dam"


def alert(url: str) -> Alert:
    return Alert(id="a1", route="r", matches=(make_match(1, title=TITLE, url=url),))


def webhook(kind: str) -> WebhookChannel:
    return WebhookChannel(ChannelConfig(name=kind, url=f"{kind}://hooks.example/x/y/TOKENabc"))


def rendered(url: str) -> dict[str, str]:
    a = alert(url)
    mail = EmailChannel(ChannelConfig(name="m", url="smtp://mail.example?to=a@x.test"))
    msg = mail.build(a)
    html = msg.get_body(("html",)).get_content()
    out = {"html": html, "text": msg.get_body(("plain",)).get_content()}
    for kind in ("slack", "discord", "teams"):
        out[kind] = webhook(kind).body(a).decode()
    out["payload"] = json.dumps(payload(a, "g", Renderer("g", "generic", Templates())))
    return out


def test_javascript_and_data_links_are_never_rendered_as_links() -> None:
    for url in ("javascript:alert(document.domain)", "data:text/html;base64,PHNjcmlwdD4=",
                "JaVaScRiPt:void(0)", "vbscript:msgbox(1)"):
        out = rendered(url)
        for kind, text in out.items():
            assert url.split(":")[0].lower() not in text.lower(), (kind, url)
        assert "href=" not in out["html"]
        assert json.loads(out["payload"])["alert"]["matches"][0]["article"]["url"] == ""


def test_http_links_are_still_links() -> None:
    out = rendered("https://dam.example/news/1")
    assert 'href="https://dam.example/news/1"' in out["html"]
    assert "<https://dam.example/news/1|" in json.loads(out["slack"])["blocks"][0]["text"]["text"]
    assert "(<https://dam.example/news/1>)" in json.loads(out["discord"])["content"]


def test_chat_mentions_from_titles_never_ping() -> None:
    out = rendered("https://dam.example/news/1")
    slack = json.loads(out["slack"])
    for text in (slack["text"], slack["blocks"][0]["text"]["text"]):
        assert "<@U024BE7LH>" not in text and "<!channel>" not in text
        assert "@everyone" not in text  # broken by a zero-width space
    discord = json.loads(out["discord"])["content"]
    for mention in ("<@U024BE7LH>", "<@&81234>", "<#C42>", "@everyone"):
        assert mention not in discord, mention
    assert "\u200beveryone" in discord and "<\u200b@&81234" in discord
    assert "flood at the dam" in discord and "flood at the dam" in slack["text"]
