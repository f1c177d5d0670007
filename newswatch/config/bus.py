"""``[bus]``: which message bus the stages meet on."""

from __future__ import annotations

from pydantic import Field, field_validator

from newswatch.config.base import StrictModel


class KafkaOptions(StrictModel):
    partitions: int = Field(3, ge=1)
    replication_factor: int = Field(1, ge=1)
    session_timeout_ms: int = Field(10_000, ge=6_000)
    heartbeat_interval_ms: int = Field(3_000, ge=100)
    compression_type: str | None = None
    connect_timeout_secs: float = Field(30.0, gt=0)
    client_id: str = "newswatch"

    @field_validator("compression_type")
    @classmethod
    def _known_codec(cls, value: str | None) -> str | None:
        from newswatch.bus.base import COMPRESSION_CODECS

        if value is not None and value not in COMPRESSION_CODECS:
            raise ValueError(f"must be one of {', '.join(COMPRESSION_CODECS)}")
        return value


class BusConfig(StrictModel):
    # Empty means the embedded bus in the data directory: sqlite:///<data_dir>/bus.db
    url: str = ""
    topic_prefix: str = "newswatch."
    kafka: KafkaOptions = KafkaOptions()

    @field_validator("url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:///", "kafka://")):
            raise ValueError("must start with sqlite:/// or kafka://")
        return value

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}{name}"

    def group(self, stage: str) -> str:
        """Consumer group of a stage; follows the prefix so deployments sharing a broker
        never share a group (default: ``newswatch-classify``, ``newswatch-alert``)."""
        return f"{self.topic_prefix.rstrip('.') or 'newswatch'}-{stage}"
