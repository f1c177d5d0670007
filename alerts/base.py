"""Interfaces of the alert stage: channels and their failure kinds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable

from newswatch.models import Alert


class DeliveryError(Exception):
    """A channel could not deliver. ``retryable`` failures are retried, others dead-lettered.

    Messages must never contain a secret: build them from masked URLs, not raw ones.
    """

    retryable = True

    def __init__(self, message: str, *, retry_after_secs: float | None = None):
        super().__init__(message)
        self.retry_after_secs = retry_after_secs


class PermanentDeliveryError(DeliveryError):
    retryable = False


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced by ``***`` (defence in depth for error strings)."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class Channel(ABC):
    """One destination, chosen by URL scheme. ``str(channel)`` never shows a secret.

    ``send`` must be idempotent on the receiver's side for one ``alert.id``: it carries the id
    as an idempotency key (webhooks) or Message-ID (email) so a re-send after a crash dedupes.
    """

    name: str
    kind: str = "console"
    masked_url: str = ""
    secrets: tuple[str, ...] = ()

    @abstractmethod
    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise :class:`DeliveryError`. Returns only once confirmed."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.name} {self.masked_url})"
