"""Email over SMTP: ``smtp://`` (STARTTLS when offered, or required) and ``smtps://``.

One multipart/alternative message (text + HTML) per alert to every recipient. ``Message-ID`` is
derived from the alert id, so a re-send after a crash carries the same id and mail systems dedupe;
follow-ups of a story set ``In-Reply-To``/``References`` to the first alert's Message-ID.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import unquote, urlsplit

from alerts.base import Channel, DeliveryError, PermanentDeliveryError
from alerts.render import Renderer
from newswatch.config.channels import ChannelConfig
from newswatch.models import Alert

log = logging.getLogger("newswatch.alert.email")
# Fold long headers late (RFC 5322 allows 998): Python folds a long Subject before its first word.
POLICY = policy.SMTP.clone(max_line_length=200)


def message_id(alert_id: str, channel: str, domain: str) -> str:
    return f"<{alert_id}.{channel}@{domain}>"


class EmailChannel(Channel):
    kind = "email"

    def __init__(self, config: ChannelConfig):
        parts = urlsplit(config.url)
        self.name, self.masked_url = config.name, config.masked_url()
        self.implicit_tls = parts.scheme.lower() == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.user = unquote(parts.username or "")
        self.password = config.password_value()
        self.secrets = tuple(config.secrets())
        query = config.query()
        self.recipients = config.recipients()
        self.sender = config.from_addr or query.get("from") or f"newswatch@{self.host}"
        self.domain = self.sender.rpartition("@")[2] or "newswatch.local"
        self.starttls = config.starttls or query.get("starttls", "auto")
        if self.starttls not in ("auto", "require", "off"):
            raise ValueError(f"channel {self.name}: starttls must be auto, require or off")
        self.timeout = config.timeout_secs
        self.tls = ssl.create_default_context(cafile=config.ca_file)
        if not config.tls_verify:
            self.tls.check_hostname, self.tls.verify_mode = False, ssl.CERT_NONE
        self.renderer = Renderer(config.name, "email", config.templates, config.max_length)

    def build(self, alert: Alert) -> EmailMessage:
        msg = EmailMessage(policy=POLICY)
        msg["Subject"] = self.renderer.render_subject(alert)
        msg["From"] = self.sender
        msg["To"] = ", ".join(self.recipients)
        msg["Date"] = format_datetime(alert.created)
        msg["Message-ID"] = message_id(alert.id, self.name, self.domain)
        msg["List-Id"] = f"newswatch {alert.route} <{self.name}.{self.domain}>"
        msg["X-Newswatch-Alert-Id"] = alert.id
        msg["X-Newswatch-Matches"] = ",".join(m.id for m in alert.matches)
        if alert.follow_up_of:
            first = message_id(alert.follow_up_of, self.name, self.domain)
            msg["In-Reply-To"], msg["References"] = first, first
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(self.renderer.render_body(alert))
        msg.add_alternative(self.renderer.render_body(alert, html_body=True), subtype="html")
        return msg

    def _connect(self) -> smtplib.SMTP:
        if self.implicit_tls:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.tls)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        smtp.ehlo()
        if self.starttls != "off" and smtp.has_extn("starttls"):
            smtp.starttls(context=self.tls)
            smtp.ehlo()
        elif self.starttls == "require":
            smtp.close()
            raise PermanentDeliveryError(
                f"channel {self.name} ({self.masked_url}): server does not offer STARTTLS"
            )
        return smtp

    def send(self, alert: Alert) -> None:
        msg = self.build(alert)
        where = f"channel {self.name} ({self.masked_url})"
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(msg, self.sender, self.recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = ", ".join(f"{r}: {c}" for r, (c, _) in exc.recipients.items())
            text = f"{where}: all recipients refused ({codes})"
            if all(c >= 500 for c, _ in exc.recipients.values()):
                raise PermanentDeliveryError(text) from None
            raise DeliveryError(text) from None  # 4xx: the server asks to try again later
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentDeliveryError(f"{where}: login failed ({exc.smtp_code})") from None
        except smtplib.SMTPResponseException as exc:
            text = f"{where}: SMTP {exc.smtp_code}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentDeliveryError(text) from None
            raise DeliveryError(text) from None
        except ssl.SSLError as exc:
            raise DeliveryError(f"{where}: TLS failed ({exc.reason})") from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{where}: {type(exc).__name__}") from None
        if refused:
            # Others took it: a re-send would duplicate for them, so it counts as sent.
            log.warning("%s: refused for %s", where, ", ".join(sorted(refused)),
                        extra={"alert_id": alert.id})
