"""``[[channels]]``: where alerts go, chosen by URL scheme.

URLs: ``console://``, ``file:///path/alerts.jsonl``,
``smtp://user@host:587?to=a@x,b@y&from=alerts@x&starttls=auto|require|off``, ``smtps://...``,
``https://host/path`` (generic JSON webhook; ``format = "slack" | "discord" | "teams"`` for chat
payloads), ``slack://``, ``discord://``, ``teams://`` (the vendor's webhook URL with the scheme
replaced). Any other scheme is an Apprise URL (``ntfy://``, ``tgram://``, ``matrixs://``,
``signal://``, ``mmost://``, ``pover://``, ``json://``...), sent through the optional Apprise
package (``pip install 'newswatch[apprise]'``). Secrets (``password``, ``secret``) are
``SecretStr``: from the file, from ``NEWSWATCH_CHANNELS__<NAME>__PASSWORD`` or from
``password_file``; print :meth:`masked_url`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from newswatch.config.base import StrictModel
from newswatch.redact import SECRET_PARAMS  # query parameters whose values are credentials

SCHEMES = ("console", "file", "smtp", "smtps", "http", "https", "slack", "discord", "teams")
CHAT_SCHEMES = ("slack", "discord", "teams")
_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"
# Path words of vendor webhook URLs that are not credentials (everything else long is masked).
PLAIN_SEGMENTS = {
    "services", "api", "webhooks", "webhook", "workflows", "triggers", "manual", "paths",
    "invoke", "hooks", "slack", "github",
}


def _secret_segment(seg: str) -> bool:
    return len(seg) >= 6 and seg.lower() not in PLAIN_SEGMENTS


class RateLimit(StrictModel):
    """Token bucket: ``per_minute`` refill rate, up to ``burst`` messages at once."""

    per_minute: float = Field(gt=0)
    burst: int = Field(1, ge=1)


class Templates(StrictModel):
    """Jinja2 sources overriding the defaults (``*_file`` reads them from a file)."""

    subject: str | None = None
    text: str | None = None
    html: str | None = None
    subject_file: str | None = None
    text_file: str | None = None
    html_file: str | None = None

    def source(self, kind: str) -> str | None:
        inline, path = getattr(self, kind), getattr(self, f"{kind}_file")
        if path:
            return Path(path).read_text(encoding="utf-8")
        return inline


class ChannelConfig(StrictModel):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    url: str = Field(repr=False)  # may hold a password or webhook token: see masked_url()
    # Payload format of http(s) webhooks; chat schemes imply theirs.
    format: Literal["generic", "slack", "discord", "teams"] | None = None
    password: SecretStr | None = None
    password_file: str | None = None
    # HMAC-SHA256 key for the X-Newswatch-Signature header of generic webhooks.
    secret: SecretStr | None = None
    secret_file: str | None = None
    # Email: recipients/sender (also accepted in the URL query as to= and from=).
    to: list[str] = []
    from_addr: str = ""
    starttls: Literal["auto", "require", "off"] | None = None
    ca_file: str | None = None
    tls_verify: bool = True
    timeout_secs: float = Field(10.0, gt=0)
    rate_limit: RateLimit | None = None
    # Longest message body; longer alerts drop whole sources, then fall back to plain text.
    max_length: int | None = Field(None, ge=200)
    digest: Literal["off", "hourly", "daily"] = "off"
    digest_at: str = Field("08:00", pattern=_TIME)
    digest_timezone: str = "UTC"
    templates: Templates = Templates()
    # Retryable failures are retried with capped exponential backoff (the whole channel waits)
    # until give_up_after_secs have passed since the first failure (or max_attempts, if set),
    # then dead-lettered; when the channel answers again, waiting alerts go at once and up to
    # redrive_dead_max of the dead letters it gave up on are re-queued automatically.
    max_attempts: int | None = Field(None, ge=1)
    give_up_after_secs: float = Field(86400.0, gt=0)
    backoff_base_secs: float = Field(2.0, gt=0)
    backoff_max_secs: float = Field(900.0, gt=0)
    redrive_dead_max: int = Field(500, ge=0)

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].lower() if "://" in value else ""
        if scheme not in SCHEMES:
            check_apprise_url(value, scheme)  # any other scheme: an Apprise URL
        if scheme in ("smtp", "smtps") and not urlsplit(value).hostname:
            raise ValueError("smtp url needs a host: smtp://user@host:587?to=...")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ChannelConfig:
        if self.scheme in ("smtp", "smtps") and not self.recipients():
            raise ValueError("email channel needs recipients: to = [...] or ?to= in the url")
        for key in ("password_file", "secret_file", "ca_file"):
            path = getattr(self, key)
            if path and not Path(path).is_file():
                raise ValueError(f"{key}: no such file {path!r}")
        return self

    # -- derived values -------------------------------------------------------------------
    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0].lower()

    @property
    def kind(self) -> str:
        """console | file | email | generic | slack | discord | teams | apprise."""
        if self.scheme not in SCHEMES:
            return "apprise"
        if self.scheme in ("smtp", "smtps"):
            return "email"
        if self.scheme in CHAT_SCHEMES:
            return self.scheme
        if self.scheme in ("http", "https"):
            return self.format or "generic"
        return self.scheme

    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query))

    def recipients(self) -> list[str]:
        extra = [a.strip() for a in self.query().get("to", "").split(",") if a.strip()]
        return [*self.to, *extra]

    def password_value(self) -> str:
        """SMTP password: ``password``, else ``password_file``, else the URL's user info."""
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file:
            return Path(self.password_file).read_text(encoding="utf-8").strip()
        return unquote(urlsplit(self.url).password or "")

    def secret_value(self) -> str:
        if self.secret is not None:
            return self.secret.get_secret_value()
        if self.secret_file:
            return Path(self.secret_file).read_text(encoding="utf-8").strip()
        return ""

    def secrets(self) -> list[str]:
        """Every credential of this channel (for redacting text that might echo one)."""
        out = [self.password_value(), self.secret_value()]
        if self.kind == "apprise":  # every part of the URL that Apprise's privacy view hides
            shown = set(re.split(r"[/:@?&=#]+", unquote(self.masked_url())))
            raw = unquote(self.url.split("://", 1)[1])
            out += [p for p in re.split(r"[/:@?&=#]+", raw) if p not in shown]
        parts = urlsplit(self.url)
        if self.kind in CHAT_SCHEMES:
            out += [p for p in parts.path.split("/") if _secret_segment(p)]
        out += [v for k, v in parse_qsl(parts.query) if SECRET_PARAMS.search(k)]
        return [s for s in out if s and len(s) >= 4]

    def masked_url(self) -> str:
        """The URL safe to print: password, chat webhook tokens and credential params hidden."""
        if self.kind == "apprise":
            return apprise_masked_url(self.url)
        parts = urlsplit(self.url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        if parts.username:
            netloc = f"{parts.username}{':***' if parts.password else ''}@{netloc}"
        path = parts.path
        if self.kind in CHAT_SCHEMES and path.strip("/"):
            segs = path.split("/")
            path = "/".join(s[:2] + "***" if _secret_segment(s) else s for s in segs)
        query = "&".join(
            f"{k}={'***' if SECRET_PARAMS.search(k) else v}" for k, v in parse_qsl(parts.query)
        )
        return f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "")


APPRISE_HINT = "pip install 'newswatch[apprise]'"


def check_apprise_url(url: str, scheme: str) -> None:
    """Schemes newswatch does not handle itself go through Apprise (ntfy://, tgram://, ...).

    Errors name the scheme only: the rest of the URL may hold a token."""
    native = ", ".join(SCHEMES)
    try:
        import apprise
    except ImportError:
        raise ValueError(
            f"scheme {scheme!r} is not built in ({native}); other services (ntfy, Telegram, "
            f"Matrix, Signal, Mattermost, Pushover...) work through Apprise, which is not "
            f"installed: {APPRISE_HINT}") from None
    if not scheme or apprise.Apprise.instantiate(url, suppress_exceptions=True) is None:
        raise ValueError(f"unknown channel scheme {scheme!r}, or not a valid Apprise URL for "
                         f"it; built in: {native}; see https://appriseit.com for the others")


def apprise_masked_url(url: str) -> str:
    """Apprise's own privacy view, with only the query keys the user wrote (credential-like
    ones masked, e.g. ``+X-Token`` headers that Apprise shows)."""
    import apprise

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        return url.split("://", 1)[0] + "://***"
    private = urlsplit(plugin.url(privacy=True))
    def key(k: str) -> str:
        return k.replace("+", " ").strip().lower()

    keys = {key(k) for k, _ in parse_qsl(urlsplit(url).query)}
    query = "&".join(
        f"{k}={'***' if SECRET_PARAMS.search(k) else v}"
        for k, v in parse_qsl(private.query) if key(k) in keys
    )
    return f"{private.scheme}://{private.netloc}{private.path}" + (f"?{query}" if query else "")
