"""Message models and their one JSON encoding."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newswatch import serde
from newswatch.models import (
    Alert,
    Article,
    FeedStatus,
    LabelScore,
    Match,
    Place,
    Source,
    as_utc,
)


def _article(**kw: object) -> Article:
    base = dict(
        id="a1", feed_id="wire", url="https://x.example/1", title="Título con acentos",
        summary="s", published=datetime(2026, 11, 1, 12, tzinfo=UTC), authors=("A", "B"),
        source=Source("wire", "Wire", "https://x.example/feed"),
        also_seen_in=(Source("other"),),
    )
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_roundtrip_every_message_type() -> None:
    art = _article()
    match = Match(article=art, watch="w", score=0.9, labels=(LabelScore("armed_group", 0.93),),
                  groups=("Freedom of Russia Legion",), reasons=("keyword 'raid'",),
                  places=(Place("RU-BEL", "Belgorod Oblast", "region", "RU"),
                          Place("UA", "Ukraine")))
    alert = Alert(id="al", route="r", matches=(match, match))
    status = FeedStatus(feed_id="wire", ok=False, consecutive_failures=3,
                        failing_since=datetime(2026, 1, 1, tzinfo=UTC), last_error="HTTP 500")
    for message in (art, match, alert, status):
        assert serde.loads(serde.dumps(message)) == message


def test_encoding_is_versioned_json_and_keeps_unicode() -> None:
    doc = json.loads(serde.dumps(_article()))
    assert doc["v"] == serde.SCHEMA_VERSION and doc["type"] == "article"
    assert doc["data"]["title"] == "Título con acentos"
    assert doc["data"]["published"] == "2026-11-01T12:00:00+00:00"


@pytest.mark.parametrize(
    "payload, needle",
    [
        (b"not json", "not JSON"),
        (b'{"v": 99, "type": "article", "data": {}}', "schema version"),
        (b'{"v": 1, "type": "nope", "data": {}}', "unknown message type"),
    ],
)
def test_bad_payloads_are_rejected_clearly(payload: bytes, needle: str) -> None:
    with pytest.raises(serde.SerdeError, match=needle):
        serde.loads(payload)


def test_expected_type_and_unknown_fields_are_checked() -> None:
    data = serde.dumps(_article())
    with pytest.raises(serde.SerdeError, match="expected Match"):
        serde.loads(data, Match)
    doc = json.loads(data)
    doc["data"]["surprise"] = 1
    with pytest.raises(serde.SerdeError, match="surprise"):
        serde.loads(json.dumps(doc))


def test_messages_are_frozen_and_match_id_is_stable() -> None:
    art = _article()
    with pytest.raises(dataclasses.FrozenInstanceError):
        art.title = "x"  # type: ignore[misc]
    m1 = Match(article=art, watch="w", score=0.1)
    m2 = Match(article=art, watch="w", score=0.7)
    assert m1.id == m2.id != Match(article=art, watch="other", score=0.1).id


def test_as_utc_makes_aware_utc() -> None:
    naive = datetime(2026, 1, 1, 10)
    assert as_utc(naive).tzinfo is UTC
    plus2 = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert as_utc(plus2) == datetime(2026, 1, 1, 10, tzinfo=UTC)


def test_place_containment_for_watch_filters() -> None:
    village = Place("Shebekino", "Shebekino", "city", country="RU", region="RU-BEL")
    assert village.within("RU") and village.within("RU-BEL") and village.within("Shebekino")
    assert not village.within("UA") and not village.within("RU-KRS")
