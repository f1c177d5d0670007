"""HTTP webhooks: generic signed JSON (docs/webhooks.md), Slack, Discord, Teams Workflows.

Every request carries ``Idempotency-Key: <alert id>``; the generic payload also has it as a
field and is signed: ``X-Newswatch-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>``.
2xx is success; 408/425/429/5xx and network errors are retried (429/503 honour Retry-After);
other 4xx are permanent. Error texts use the masked URL only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from alerts.base import Channel, DeliveryError, PermanentDeliveryError
from alerts.payload import payload
from alerts.render import Renderer, slack_escape
from newswatch import __version__
from newswatch.config.channels import CHAT_SCHEMES, ChannelConfig
from newswatch.models import Alert

# httpx logs full request URLs at INFO, and chat webhook URLs are credentials.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, tolerance_secs: float = 300) -> bool:
    """Receiver side check (used by tests and documented for users)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        ts = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs(time.time() - ts) > tolerance_secs:
        return False
    return hmac.compare_digest(sign(secret, ts, body), header)


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def chat_body(kind: str, text: str, title: str) -> dict[str, Any]:
    if kind == "slack":
        return {
            "text": slack_escape(title),  # the notification text is parsed for <@U...> too
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            "unfurl_links": False,
        }
    if kind == "discord":
        return {"content": text, "allowed_mentions": {"parse": []}}
    return {  # teams: Workflows "post to a channel when a webhook request is received"
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True},
                    {"type": "TextBlock", "text": text, "wrap": True},
                ],
            },
        }],
    }


DEFAULT_LIMITS = {"slack": 3000, "discord": 2000, "teams": 20000}


class WebhookChannel(Channel):
    def __init__(self, config: ChannelConfig, client: httpx.Client | None = None):
        self.name, self.kind = config.name, config.kind
        self.masked_url = config.masked_url()
        scheme, rest = config.url.split("://", 1)
        self.url = f"https://{rest}" if scheme.lower() in CHAT_SCHEMES else config.url
        self.secret = config.secret_value()
        self.secrets = tuple(config.secrets())
        limit = config.max_length or DEFAULT_LIMITS.get(self.kind)
        self.renderer = Renderer(config.name, self.kind, config.templates, limit)
        self.client = client or httpx.Client(
            timeout=config.timeout_secs,
            verify=config.ca_file or config.tls_verify,
            follow_redirects=False,
            headers={"User-Agent": f"newswatch/{__version__}"},
        )

    def body(self, alert: Alert) -> bytes:
        if self.kind == "generic":
            doc = payload(alert, self.name, self.renderer)
        else:
            doc = chat_body(
                self.kind, self.renderer.render_body(alert), self.renderer.render_subject(alert)
            )
        return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def send(self, alert: Alert) -> None:
        body = self.body(alert)
        headers = {"Content-Type": "application/json", "Idempotency-Key": alert.id}
        if self.kind == "generic":
            headers["X-Newswatch-Event"] = "alert"
            if self.secret:
                headers["X-Newswatch-Signature"] = sign(self.secret, int(time.time()), body)
        where = f"channel {self.name} ({self.masked_url})"
        try:
            resp = self.client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"{where}: timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{where}: {type(exc).__name__}: connection failed") from None
        if 200 <= resp.status_code < 300:
            return
        reason = f"{where}: HTTP {resp.status_code} {resp.reason_phrase}"
        if resp.status_code in RETRYABLE_STATUS:
            wait = retry_after(resp.headers.get("Retry-After"))
            raise DeliveryError(reason, retry_after_secs=wait)
        raise PermanentDeliveryError(reason)

    def close(self) -> None:
        self.client.close()
