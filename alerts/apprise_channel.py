"""Any Apprise URL (ntfy://, tgram://, matrixs://, signal://, mmost://, pover://, json://...).

Apprise (optional extra ``apprise``, BSD-2-Clause) does the service's protocol; newswatch keeps
its own guarantees around it: the ledger, retries with backoff, dead letters and masked secrets
(Apprise's privacy view of the URL, and every error text redacted). Apprise's own retries are
off (``retry=0``); ``timeout_secs`` becomes its connect/read timeouts. JSON, form and XML
targets get ``Idempotency-Key: <alert id>`` as a header, so a re-send after a crash dedupes;
other services have no such key, and a re-send after a crash may repeat a message there.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from alerts.base import Channel, DeliveryError, PermanentDeliveryError, redact
from alerts.render import Renderer
from newswatch.config.channels import APPRISE_HINT, ChannelConfig
from newswatch.models import Alert

logging.getLogger("apprise").setLevel(logging.WARNING)  # its debug lines carry URLs
KEYED = ("json", "jsons", "form", "forms", "xml", "xmls")
_STATUS = re.compile(r"error=(\d{3})")
RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    have = {k.replace("+", " ").strip().lower() for k, _ in query}
    query += [(k, v) for k, v in extra.items() if k.lstrip("+").lower() not in have]
    return urlunsplit(parts._replace(query=urlencode(query)))


class AppriseChannel(Channel):
    kind = "apprise"

    def __init__(self, config: ChannelConfig):
        try:
            import apprise
        except ImportError:
            raise ValueError(f"channel {config.name}: needs Apprise: {APPRISE_HINT}") from None
        self._apprise = apprise
        self.name, self.masked_url = config.name, config.masked_url()
        self.secrets = tuple(config.secrets())
        self.scheme = config.scheme
        t = f"{config.timeout_secs:g}"
        self.url = _with_query(config.url, {"cto": t, "rto": t, "retry": "0"})
        if apprise.Apprise.instantiate(self.url, suppress_exceptions=True) is None:
            raise ValueError(f"channel {self.name}: not a valid Apprise URL ({self.masked_url})")
        self.renderer = Renderer(config.name, "apprise", config.templates, config.max_length)

    def _plugin(self, alert: Alert):  # noqa: ANN202 - an Apprise plugin instance
        url = self.url
        if self.scheme in KEYED:
            url = _with_query(url, {"+Idempotency-Key": alert.id})
        return self._apprise.Apprise.instantiate(url, suppress_exceptions=True)

    def send(self, alert: Alert) -> None:
        ap = self._apprise
        kind = {"critical": ap.NotifyType.FAILURE, "high": ap.NotifyType.WARNING}.get(
            alert.severity, ap.NotifyType.INFO)
        title, body = self.renderer.render_subject(alert), self.renderer.render_body(alert)
        where = f"channel {self.name} ({self.masked_url})"
        with ap.LogCapture(level=logging.WARNING) as captured:
            try:
                ok = self._plugin(alert).notify(body=body, title=title, notify_type=kind,
                                                body_format=ap.NotifyFormat.TEXT)
            except Exception as exc:  # a plugin bug must not look like a success
                raise DeliveryError(f"{where}: Apprise failed: {type(exc).__name__}") from None
            log = captured.getvalue()
        if ok:
            return
        lines = [line.split(" - ", 2)[-1] for line in log.strip().splitlines() if line.strip()]
        reason = redact("; ".join(lines)[-300:] or "not delivered", self.secrets)
        status = _STATUS.findall(log)
        if status and 400 <= int(status[-1]) < 500 and int(status[-1]) not in RETRYABLE_STATUS:
            raise PermanentDeliveryError(f"{where}: {reason}")
        raise DeliveryError(f"{where}: {reason}")
