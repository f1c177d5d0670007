"""One-click feedback links: signed, expiring tokens naming one action on one match.

Alert messages (rendered by ``alerts/``) carry them and the web UI (``newswatch/ui``) honours
them, so signing lives here in the core. A token is ``itsdangerous``-signed JSON
``[action, match_id, expires]``: tampering breaks the signature, and ``expires`` is fixed from
the alert's creation time, so re-rendering an alert gives byte-identical links. A link only
opens a confirmation page; the change needs a POST from that page.

The key comes from ``[ui] secret_key`` / ``secret_key_file``, else from
``<data_dir>/ui-secret.key``, generated once with mode 0600. It is never logged or rendered.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeSerializer

from newswatch import storage
from newswatch.config import Config
from newswatch.config.service import split_listen
from newswatch.models import Alert

# action -> the words a reader sees on the button or link.
ACTIONS: dict[str, str] = {
    "relevant": "Relevant",
    "not_relevant": "Not relevant",
    "not_raid": "Not a raid",
    "not_group": "Not an armed group",
    "mute": "Mute this story",
}
SECRET_FILE = "ui-secret.key"


class LinkError(ValueError):
    """A token that is forged, damaged, for an unknown action, or expired."""


def load_secret(config: Config) -> bytes:
    """The signing key (see the module docstring); created on first use."""
    ui = config.ui
    if ui.secret_key is not None and ui.secret_key.get_secret_value():
        return ui.secret_key.get_secret_value().encode()
    if ui.secret_key_file:
        return Path(ui.secret_key_file).read_text(encoding="utf-8").strip().encode()
    path = storage.private_dir(config.service.data_dir) / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip().encode()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_urlsafe(48) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return path.read_text(encoding="ascii").strip().encode()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def public_base(config: Config) -> str:
    """Where readers reach the UI: ``[ui] public_url``, else the loopback listen address."""
    if not config.ui.enabled:
        return ""
    if config.ui.public_url:
        return config.ui.public_url
    if not config.service.http_enabled:
        return ""
    host, port = split_listen(config.service.http_listen)
    if not is_loopback(host):
        return ""
    return f"http://{'[' + host + ']' if ':' in host else host}:{port}"


@dataclass(frozen=True)
class Link:
    action: str
    label: str
    url: str


class Links:
    """Signs and checks feedback tokens; ``base`` is where ``/act/<token>`` is served."""

    def __init__(self, secret: bytes, base: str = "", max_age_secs: int = 7 * 86400):
        self._serializer = URLSafeSerializer(secret, salt="newswatch.feedback-link")
        self.base, self.max_age_secs = base.rstrip("/"), max_age_secs

    @classmethod
    def from_config(cls, config: Config) -> Links:
        return cls(load_secret(config), public_base(config), config.ui.link_max_age_secs)

    def token(self, action: str, match_id: str, issued: float) -> str:
        if action not in ACTIONS:
            raise ValueError(f"unknown feedback action {action!r}")
        return self._serializer.dumps([action, match_id, int(issued + self.max_age_secs)])

    def for_match(self, match_id: str, issued: float) -> list[Link]:
        """Every action's link for one match (none when there is no public base URL)."""
        if not self.base:
            return []
        return [Link(a, label, f"{self.base}/act/{self.token(a, match_id, issued)}")
                for a, label in ACTIONS.items()]

    def provider(self, alert: Alert, channel: str) -> dict[str, dict[str, str]]:
        """Links for ``alerts.render.Renderer.links``: per article of the alert, its actions
        (on the article's first match: the UI finds the article from any of its matches)."""
        out: dict[str, dict[str, str]] = {}
        issued = alert.created.timestamp()
        for m in alert.matches:
            if m.article.id not in out:
                out[m.article.id] = {k.label: k.url for k in self.for_match(m.id, issued)}
        return out

    def verify(self, token: str, now: float | None = None) -> tuple[str, str]:
        """(action, match_id) of a genuine, unexpired token; else :class:`LinkError`."""
        try:
            action, match_id, expires = self._serializer.loads(token)
        except (BadSignature, ValueError, TypeError):
            raise LinkError("this link is not valid (damaged or not from this newswatch)") from None
        if action not in ACTIONS or not isinstance(match_id, str):
            raise LinkError("this link is not valid")
        if (now if now is not None else time.time()) > expires:
            raise LinkError("this link has expired")
        return action, match_id
