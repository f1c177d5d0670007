"""Who acts where: actors (by home country), targets and the event's places in one text.

* An **actor** is a demonym or place attached to an armed noun ("Russian troops", "Israeli
  jets", "Russia's army", "pro-Kyiv fighters", "militants from Gaza", "Afghanistan-based
  rebels"), a country that is the subject of an attack verb ("Turkey bombs..."), or a named
  group (its ``home`` in the gazetteer).
* A **target** is a place after a locative word or an attack verb ("into Belgorod region",
  "shelled Sumy", "on Yemen's Hudaydah port"), any other region, city or territory named, or a
  demonym attached to victims ("Israeli hostages").
* The event's **places**: targets in text order, the ones placed by a locative or attack word
  first; actors' homes are not listed unless the text also names them as places.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from classifiers.geo import words as W
from classifiers.geo.index import Geography, home
from classifiers.geo.matcher import PlaceMention
from newswatch.models import Place

_SUBJECT_VERBS = W._words(
    """fires fired launches launched strikes struck bombs bombed shells shelled attacks
    attacked pounds pounded hits invades invaded raids raided targets targeted sends sent
    storms stormed pushes pushed"""
)


@dataclass(frozen=True, slots=True)
class Scene:
    actors: tuple[str, ...] = ()  # homes (ISO alpha-2 or territory id), in order
    targets: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    origins: tuple[str, ...] = ()  # "from X" homes
    attack: bool = False


def _role(low: Sequence[str], m: PlaceMention) -> str:
    after = low[m.end : m.end + 3]
    prev = low[m.start - 1] if m.start else ""
    if m.demonym:
        if prev == "pro" or after[:1] == ["led"] or any(t in W.ACTOR_NOUNS for t in after):
            return "actor"
        if any(t in W.PLACE_NOUNS for t in after[:2]):
            return "placed"
        if any(t in W.VICTIM_NOUNS for t in after):
            return "victim"
        return "mention"
    if prev in W.ORIGIN:
        return "origin"
    if prev == "pro" or (after[:1] == ["based"]):
        return "actor"
    if after[:1] == ["s"] and any(t in W.ACTOR_NOUNS for t in after[1:3]):
        return "actor"
    if m.place.kind == "country" and after[:1] and after[0] in _SUBJECT_VERBS:
        return "actor"
    if prev in W.LOCATIVE or prev in W.ATTACK:
        return "placed"
    return "place"


def scene(geo: Geography, low: Sequence[str], mentions: Sequence[PlaceMention],
          groups: Sequence[str] = ()) -> Scene:
    """``low``: folded tokens; ``groups``: homes of the named groups, in order."""
    actors: list[str] = list(groups)
    targets: list[str] = []
    origins: list[str] = []
    placed: list[Place] = []
    others: list[Place] = []
    handoff = False
    for k, m in enumerate(mentions):
        role, h = _role(low, m), home(m.place)
        if handoff and role == "place":
            role = "placed"
        # "into Russia's Belgorod region": the region after the possessive is the place
        nxt = mentions[k + 1] if k + 1 < len(mentions) else None
        handoff = role == "placed" and nxt is not None and nxt.start == m.end + 1 and (
            low[m.end : m.end + 1] == ["s"])
        if handoff:
            role = "place"
        if role == "actor":
            actors.append(h)
        elif role == "origin":
            origins.append(h)
            actors.append(h)
        elif role == "victim":
            targets.append(h)
        elif role in ("placed", "place"):
            targets.append(h)
            (placed if role == "placed" else others).append(m.place)
    places = list(dict.fromkeys(placed + others))
    return Scene(tuple(dict.fromkeys(actors)), tuple(dict.fromkeys(targets)), tuple(places),
                 tuple(dict.fromkeys(origins)), any(t in W.ATTACK for t in low))


def foreign_pairs(geo: Geography, s: Scene) -> list[tuple[str, str, bool]]:
    """(actor home, target home, neighbours?) for actors acting in another country's place."""
    out = []
    for a in s.actors:
        for t in s.targets:
            if a != t:
                out.append((a, t, geo.are_neighbours(a, t)))
    return out
