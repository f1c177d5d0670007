"""JSON serialisation of the message models, with a schema version, used by every bus."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from newswatch.models import Alert, Article, Delivery, FeedStatus, Match

SCHEMA_VERSION = 1
T = TypeVar("T")

_TYPES: dict[str, type] = {
    "article": Article,
    "match": Match,
    "alert": Alert,
    "delivery": Delivery,
    "feed_status": FeedStatus,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}


class SerdeError(ValueError):
    """A message could not be decoded (wrong schema version, type or shape)."""


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, value: Any) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(args[0], value)
    if origin is tuple:
        return tuple(_decode(typing.get_args(tp)[0], v) for v in value)
    if origin is dict:
        return {k: _decode(typing.get_args(tp)[1], v) for k, v in value.items()}
    if tp is datetime:
        return datetime.fromisoformat(value)
    if dataclasses.is_dataclass(tp):
        hints = _hints(tp)
        names = {f.name for f in dataclasses.fields(tp)}
        unknown = set(value) - names
        if unknown:
            raise SerdeError(f"{tp.__name__}: unknown fields {sorted(unknown)}")
        return tp(**{k: _decode(hints[k], v) for k, v in value.items()})
    return value


def dumps(message: Any) -> bytes:
    """Encode a model instance as ``{"v": 1, "type": ..., "data": {...}}`` JSON bytes."""
    name = _NAMES.get(type(message))
    if name is None:
        raise SerdeError(f"cannot serialise {type(message).__name__}")
    doc = {"v": SCHEMA_VERSION, "type": name, "data": _encode(message)}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str, expect: type[T] | None = None) -> T:
    """Decode bytes written by :func:`dumps`; ``expect`` checks the message type."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise SerdeError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != SCHEMA_VERSION:
        raise SerdeError(
            f"unsupported schema version {doc.get('v') if isinstance(doc, dict) else doc!r}"
        )
    cls = _TYPES.get(doc.get("type", ""))
    if cls is None:
        raise SerdeError(f"unknown message type {doc.get('type')!r}")
    if expect is not None and cls is not expect:
        raise SerdeError(f"expected {expect.__name__}, got {cls.__name__}")
    return _decode(cls, doc["data"])


def to_dict(message: Any) -> dict[str, Any]:
    """Plain JSON-ready dict of a model (for JSON-lines output and webhook payloads)."""
    return _encode(message)
