"""JSON serialisation of the message models, with a schema version, used by every bus.

Encoders and decoders are built once per model class from its type hints (the classify stage
decodes thousands of articles a second, so no per-call reflection).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from newswatch.models import Alert, Article, Delivery, FeedStatus, Match

SCHEMA_VERSION = 1
T = TypeVar("T")
Conv = Callable[[Any], Any]

_TYPES: dict[str, type] = {
    "article": Article,
    "match": Match,
    "alert": Alert,
    "delivery": Delivery,
    "feed_status": FeedStatus,
}
_NAMES = {cls: name for name, cls in _TYPES.items()}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class SerdeError(ValueError):
    """A message could not be decoded (wrong schema version, type or shape)."""


def _identity(value: Any) -> Any:
    return value


def _optional(conv: Conv) -> Conv:
    return lambda v: None if v is None else conv(v)


@cache
def _encoder(tp: Any) -> Conv:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _optional(_encoder(args[0]))
    if origin is tuple:
        item = _encoder(typing.get_args(tp)[0])
        return (lambda v: list(v)) if item is _identity else (lambda v: [item(x) for x in v])
    if origin is dict:
        item = _encoder(typing.get_args(tp)[1])
        return lambda v: {k: item(x) for k, x in v.items()}
    if tp is datetime:
        return datetime.isoformat
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        convs = [(f.name, _encoder(hints[f.name])) for f in dataclasses.fields(tp)]
        return lambda v: {name: conv(getattr(v, name)) for name, conv in convs}
    return _identity


@cache
def _decoder(tp: Any) -> Conv:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _optional(_decoder(args[0]))
    if origin is tuple:
        item = _decoder(typing.get_args(tp)[0])
        return tuple if item is _identity else (lambda v: tuple(item(x) for x in v))
    if origin is dict:
        item = _decoder(typing.get_args(tp)[1])
        return lambda v: {k: item(x) for k, x in v.items()}
    if tp is datetime:
        return datetime.fromisoformat
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        convs = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(tp)}

        def decode(value: dict[str, Any]) -> Any:
            try:
                return tp(**{k: convs[k](v) for k, v in value.items()})
            except KeyError:
                unknown = sorted(set(value) - set(convs))
                raise SerdeError(f"{tp.__name__}: unknown fields {unknown}") from None

        return decode
    return _identity


def dumps(message: Any) -> bytes:
    """Encode a model instance as ``{"v": 1, "type": ..., "data": {...}}`` JSON bytes."""
    cls = type(message)
    name = _NAMES.get(cls)
    if name is None:
        raise SerdeError(f"cannot serialise {cls.__name__}")
    doc = {"v": SCHEMA_VERSION, "type": name, "data": _encoder(cls)(message)}
    return _ENCODER.encode(doc).encode("utf-8")


def loads(data: bytes | str, expect: type[T] | None = None) -> T:
    """Decode bytes written by :func:`dumps`; ``expect`` checks the message type."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise SerdeError(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != SCHEMA_VERSION:
        found = doc.get("v") if isinstance(doc, dict) else doc
        raise SerdeError(f"unsupported schema version {found!r}")
    cls = _TYPES.get(doc.get("type", ""))
    if cls is None:
        raise SerdeError(f"unknown message type {doc.get('type')!r}")
    if expect is not None and cls is not expect:
        raise SerdeError(f"expected {expect.__name__}, got {cls.__name__}")
    try:
        return _decoder(cls)(doc["data"])
    except (TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, SerdeError):
            raise
        raise SerdeError(f"{cls.__name__}: malformed data: {exc}") from exc


def to_dict(message: Any) -> dict[str, Any]:
    """Plain JSON-ready dict of a model (for JSON-lines output and webhook payloads)."""
    return _encoder(type(message))(message)
