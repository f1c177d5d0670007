"""One contract every channel kind meets, run against each (as APScheduler tests its brokers).

Each kind is a real channel talking to a real receiver: aiosmtpd with STARTTLS+AUTH or implicit
TLS, an HTTP server verifying signatures, a real file, a real stream.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from alert_harness import make_match
from alert_servers import SmtpServer, WebhookReceiver
from nw_waits import free_port

from alerts.base import DeliveryError
from alerts.channels import open_channel
from alerts.console import ConsoleChannel
from newswatch.config import parse_config
from newswatch.models import Alert

KINDS = ["console", "file", "smtp", "smtps", "generic", "slack", "discord", "teams", "apprise"]
SECRETS = ("s3cret-smtp-pw", "hmac-key-Zq81")


@dataclass
class Under:
    kind: str
    channel: object
    keys: callable  # -> list of idempotency keys seen by the receiver (one per delivery)
    bodies: callable  # -> list of delivered message bodies (text)
    broken: object  # a channel of the same kind whose destination is unreachable


def _cfg(url: str, **extra) -> object:
    lines = ['name = "c"', f'url = "{url}"'] + [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    return parse_config("[[channels]]\n" + "\n".join(lines) + "\n", environ={}).channels[0]


@pytest.fixture(params=KINDS)
def under(request, tmp_path, tls_cert):
    kind = request.param
    if kind == "console":
        out = io.StringIO()
        ch = ConsoleChannel("c", out, max_length=1500)
        broken = ConsoleChannel("c", _ClosedStream())
        yield Under(kind, ch, lambda: None, lambda: [out.getvalue()], broken)
        return
    if kind == "file":
        path = tmp_path / "out" / "alerts.jsonl"
        ch = open_channel(_cfg(f"file://{path}", max_length=1500))
        docs = lambda: [json.loads(x) for x in path.read_text().splitlines()]  # noqa: E731
        (tmp_path / "dir.jsonl").mkdir()
        yield Under(kind, ch, lambda: [d["idempotency_key"] for d in docs()],
                    lambda: [d["alert"]["text"] for d in docs()],
                    open_channel(_cfg(f"file://{tmp_path}/dir.jsonl")))
        return
    if kind in ("smtp", "smtps"):
        server = SmtpServer(free_port(), tls_cert, user="alice", password=SECRETS[0],
                            implicit_tls=kind == "smtps", require_starttls=kind == "smtp").start()
        opts = dict(password=SECRETS[0], ca_file=str(tls_cert[0]), max_length=1500,
                    timeout_secs=5.0)
        ch = open_channel(_cfg(f"{kind}://alice@127.0.0.1:{server.port}?to=a@x.test,b@x.test"
                               "&from=nw@x.test", **opts))
        broken = open_channel(_cfg(f"{kind}://alice@127.0.0.1:{free_port()}?to=a@x.test", **opts))
        yield Under(kind, ch,
                    lambda: [str(m["X-Newswatch-Alert-Id"]) for _, _, m in server.messages],
                    lambda: [m.get_body(("plain",)).get_content().replace("\r\n", "\n").strip()
                             for _, _, m in server.messages],
                    broken)
        server.stop()
        return
    if kind == "apprise":  # Apprise's json:// to a real receiver, with basic-auth credentials
        receiver = WebhookReceiver().start()
        port = receiver.server.server_address[1]
        opts = dict(max_length=1500, timeout_secs=5.0)
        ch = open_channel(_cfg(f"json://alice:{SECRETS[0]}@127.0.0.1:{port}/hook", **opts))
        broken = open_channel(_cfg(f"json://alice:{SECRETS[0]}@127.0.0.1:{free_port()}/hook",
                                   **opts))
        yield Under(kind, ch, lambda: [h["Idempotency-Key"] for h in receiver.headers],
                    lambda: [b["message"] for b in receiver.bodies], broken)
        assert all(h["Authorization"].startswith("Basic ") for h in receiver.headers)
        receiver.stop()
        return
    receiver = WebhookReceiver(secret=SECRETS[1] if kind == "generic" else "").start()
    opts = {"format": kind, "max_length": 1500, "timeout_secs": 5.0}
    if kind == "generic":
        opts["secret"] = SECRETS[1]
    ch = open_channel(_cfg(receiver.url, **opts))
    broken = open_channel(_cfg(f"http://127.0.0.1:{free_port()}/hook", **opts))

    def texts():
        out = []
        for b in receiver.bodies:
            if kind == "generic":
                out.append(b["alert"]["text"])
            elif kind == "slack":
                out.append(b["blocks"][0]["text"]["text"])
            elif kind == "discord":
                out.append(b["content"])
            else:
                out.append(b["attachments"][0]["content"]["body"][1]["text"])
        return out

    yield Under(kind, ch, lambda: [h["Idempotency-Key"] for h in receiver.headers], texts, broken)
    assert receiver.bad_signatures == 0
    receiver.stop()


class _ClosedStream(io.StringIO):
    def write(self, s):
        raise OSError("stream closed")


def _alert(n: int, id_: str = "", sources: int = 1) -> Alert:
    matches = tuple(make_match(f"{n}-{i}", title=f"Flood <update> & [report] {n} *{i}*",
                               feed=f"feed{i}") for i in range(sources))
    return Alert(id=id_ or f"alert{n:04d}", route="r", matches=matches)


def test_delivers_one_message_carrying_the_alert_id(under):
    under.channel.send(_alert(1))
    keys = under.keys()
    assert keys is None or keys == ["alert0001"]
    assert any("Flood" in b for b in under.bodies())


def test_resend_carries_the_same_key(under):
    """A re-send after a crash must be recognisable as the same alert by the receiver."""
    under.channel.send(_alert(2))
    under.channel.send(_alert(2))
    keys = under.keys()
    assert keys is None or keys == ["alert0002", "alert0002"]


def test_unreachable_destination_is_a_retryable_delivery_error(under):
    with pytest.raises(DeliveryError) as err:
        under.broken.send(_alert(3))
    assert err.value.retryable
    for secret in SECRETS:
        assert secret not in str(err.value) and secret not in str(under.broken)


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ok = [], True

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "meta", "img", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        self.ok = self.ok and bool(self.stack) and self.stack.pop() == tag


def _markup_ok(kind: str, text: str) -> bool:
    if kind == "slack":  # every <...> is a complete link, no stray brackets
        text = re.sub(r"(?m)^> ", "", text)
        return text.count("<") == text.count(">") and not re.search(r"<[^>|]*$", text)
    if kind in ("discord", "teams"):
        unescaped = re.sub(r"\\.", "", text)
        return all(unescaped.count(a) == unescaped.count(b) for a, b in ("[]", "()", "<>")) \
            and unescaped.count("**") % 2 == 0
    return True


def test_long_alert_is_cut_at_item_boundaries_within_the_limit(under):
    under.channel.send(_alert(4, sources=40))
    body = under.bodies()[-1]
    assert len(body) <= 1500
    assert "more" in body  # "... and N more"
    assert _markup_ok(under.kind, body), body


def test_email_html_part_stays_well_formed_when_cut(tmp_path, tls_cert):
    server = SmtpServer(free_port(), tls_cert).start()
    try:
        ch = open_channel(_cfg(f"smtp://127.0.0.1:{server.port}?to=a@x.test",
                               max_length=1500, ca_file=str(tls_cert[0])))
        ch.send(_alert(5, sources=40))
        html = server.messages[0][2].get_body(("html",)).get_content().replace("\r\n", "\n")
        assert len(html) <= 1500
        parser = _Balance()
        parser.feed(html)
        assert parser.ok and parser.stack == []
        assert "&lt;update&gt; &amp;" in html  # titles escaped, never raw markup
    finally:
        server.stop()
