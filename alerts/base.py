"""Interfaces of the alert stage: channels and their failure kinds."""

from __future__ import annotations

from abc import ABC, abstractmethod

from newswatch.models import Alert


class DeliveryError(Exception):
    """A channel could not deliver. ``retryable`` failures are retried, others dead-lettered."""

    retryable = True

    def __init__(self, message: str, *, retry_after_secs: float | None = None):
        super().__init__(message)
        self.retry_after_secs = retry_after_secs


class PermanentDeliveryError(DeliveryError):
    retryable = False


class Channel(ABC):
    """One destination, chosen by URL scheme. ``str(channel)`` never shows a secret."""

    name: str

    @abstractmethod
    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` or raise :class:`DeliveryError`. Returns only once confirmed."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __str__(self) -> str:
        return f"{type(self).__name__}({self.name})"
