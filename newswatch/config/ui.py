"""``[ui]``: the web inbox served by ``newswatch run`` beside the probes, and its feedback links.

The UI runs in the process that holds the alert ledger (all stages, or ``--stage alert``) on
``[service] http_listen``. Bound to anything but loopback it serves nothing until authentication
is configured: a password hash (``newswatch ui hash-password``; best from the environment,
``NEWSWATCH_UI__PASSWORD_HASH``, or ``password_hash_file``) or a trusted reverse proxy's
authenticated-user header.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator

from newswatch.config.base import StrictModel

HASH_PREFIX = "scrypt$"


class UiConfig(StrictModel):
    enabled: bool = True
    # Base URL of the one-click feedback links in emails and chat messages, as readers reach the
    # UI (e.g. "https://newswatch.example.org"). Empty: http://<http_listen> when that is a
    # loopback address (links work on this machine only), else messages carry no links.
    public_url: str = ""
    # Login with one password: its hash from `newswatch ui hash-password` (scrypt).
    password_hash: SecretStr | None = None
    password_hash_file: str = ""
    # Or trust this header (e.g. "X-Forwarded-User") set by an authenticating reverse proxy,
    # only on requests from these peer addresses.
    trusted_proxy_header: str = ""
    trusted_proxies: list[str] = ["127.0.0.1", "::1"]
    # Signs session cookies, CSRF tokens and feedback links. Empty: a random key generated once
    # into <data_dir>/ui-secret.key (mode 0600). Set it (or secret_key_file) when several
    # processes must accept the same links.
    secret_key: SecretStr | None = None
    secret_key_file: str = ""
    session_max_age_secs: int = Field(12 * 3600, ge=60)
    # How long a feedback link in an email or chat message stays valid after the alert.
    link_max_age_secs: int = Field(7 * 86400, ge=60)
    # Feedback retrains the model in the background (seeded), this long after the last click,
    # then swaps it into the running service.
    retrain: bool = True
    retrain_delay_secs: float = Field(60.0, ge=0)
    # Matches per inbox page.
    page_size: int = Field(50, ge=5, le=500)

    @field_validator("public_url")
    @classmethod
    def _http_base(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("password_hash")
    @classmethod
    def _hash_format(cls, value: SecretStr | None) -> SecretStr | None:
        text = value.get_secret_value() if value is not None else ""
        if text and not text.startswith(HASH_PREFIX):
            raise ValueError("not a hash from `newswatch ui hash-password` (scrypt$...); "
                             "never put the password itself here")
        return value

    @model_validator(mode="after")
    def _files_exist(self) -> UiConfig:
        for key in ("password_hash_file", "secret_key_file"):
            path = getattr(self, key)
            if path and not Path(path).is_file():
                raise ValueError(f"{key}: no such file {path!r}")
        return self

    def password_hash_value(self) -> str:
        if self.password_hash is not None and self.password_hash.get_secret_value():
            return self.password_hash.get_secret_value()
        if self.password_hash_file:
            return Path(self.password_hash_file).read_text(encoding="utf-8").strip()
        return ""

    def has_auth(self) -> bool:
        return bool(self.password_hash_value() or self.trusted_proxy_header)
