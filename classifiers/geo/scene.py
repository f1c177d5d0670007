"""Who acts where: actors (by home country), targets and the event's places in one text.

* An **actor** is a demonym or place attached to an armed noun ("Russian troops", "Israeli
  jets", "Russia's army", "pro-Kyiv fighters", "militants from Gaza", "Afghanistan-based
  rebels"), a country that is the subject of an attack verb ("Turkey bombs..."), or a named
  group (its ``home`` in the gazetteer).
* A **target** is a place after a locative word or an attack verb ("into Belgorod region",
  "shelled Sumy", "on Yemen's Hudaydah port"), any other region, city or territory named, or a
  demonym attached to a place noun ("a Pakistani border post"). Demonyms attached to people
  ("Israeli hostages", "Turkish workers") are **victims**: they count for the hostage feature,
  not as the place of an attack.
* The event's **places**: targets in text order, the ones placed by a locative or attack word
  first; actors' homes are not listed unless the text also names them as places.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from classifiers.geo import words as W
from classifiers.geo.countries import EXTRA_NAMES
from classifiers.geo.index import Geography, home, key_of
from classifiers.geo.matcher import PlaceMention
from classifiers.lexicon import BLAZE, FIRE
from newswatch.models import Place

_SUBJECT_VERBS = W._words(
    """fires fired launches launched strikes struck bombs bombed shells shelled attacks
    attacked pounds pounded hits invades invaded raids raided targets targeted sends sent
    storms stormed pushes pushed"""
)
# "Israel kills Hezbollah commander in strike on Beirut": the country that opens a headline is
# its subject; elsewhere a storm or a quake may be ("... India and Bangladesh, kills dozens").
_KILL_VERBS = W._words("kills killed")


# News writes an abbreviation before a noun as it writes a demonym ("US troops", "UK jets"): the
# countries' names in capitals ("US", "U.S.", "UAE", "DRC").
_ABBREVIATED = frozenset(key_of(n) for names in EXTRA_NAMES.values() for n in names
                         if n.replace(".", "").isupper())
# A state named as the one accused ("Iran blamed for ...", not "Iran blames ...").
_ACCUSED = frozenset({("blamed", "for"), ("accused", "of"), ("blamed", "over")})
# Armed people right after a country's name make it their home ("Burkina Faso jihadists").
_FIGHTERS = W._words("""jihadists jihadist militants militant rebels rebel fighters fighter gunmen
    insurgents insurgent militiamen guerrillas""")


# A coalition's aircraft or troops are foreign wherever they strike ("Coalition airstrike on a
# prison in Saada"): an actor with no home country of its own. (Not "coalition strikes", which
# is as often a deal as an attack.)
COALITION = "coalition"
_COALITION_NOUNS = W.ACTOR_NOUNS - W._words("strikes attacks raids force")


def _coalition_acts(low: Sequence[str]) -> bool:
    return any(t == COALITION and low[k + 1] in _COALITION_NOUNS for k, t in enumerate(low[:-1]))


class Scene(NamedTuple):
    """Actors, targets and places of one text (a tuple: one per article, made fast)."""

    actors: tuple[str, ...] = ()  # homes (ISO alpha-2 or territory id), in order
    targets: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    origins: tuple[str, ...] = ()  # "from X" homes
    attack: bool = False
    victims: tuple[str, ...] = ()  # homes of victims named by demonym ("Israeli hostages")
    borders: tuple[str, ...] = ()  # homes of borders named as a line ("near the Syrian border")
    sources: tuple[str, ...] = ()  # countries that report it ("..., Israel says")


_NOTHING, _ATTACK = Scene(), Scene(attack=True)  # (tuples: one of each serves every text)


def _role(low: Sequence[str], m: PlaceMention, capitals: frozenset = frozenset()) -> str:
    after = low[m.end : m.end + 3]
    k = m.start - 1
    while k > 0 and low[k] in W.COMPASS:  # "in northern Iraq": the word before the compass
        k -= 1
    prev = low[k] if k >= 0 else ""
    if after[:1] and after[0] in W.BORDER_REF:
        if m.place.kind in ("region", "city") or not (
                W.PLACE_NOUNS.isdisjoint(after[1:2]) and W.BORDER_AREA.isdisjoint(after[1:2])):
            return "placed"  # "Sumy border areas", "a Pakistani border post" lie in that place
        return "border"  # "near the Syrian border": a line on the map, either side
    if m.place.kind == "country" and not m.demonym and (
            prev == "near" or (prev == "with" and k > 0 and low[k - 1] in W.BORDER_REF)):
        return "border"  # "close to the border with Pakistan", "in western Niger near Mali"
    if m.demonym:
        if prev == "pro" or after[:1] == ("led",) or not W.ACTOR_NOUNS.isdisjoint(after) or (
                after[:1] and after[0] in W.SAYS and _own_deed(after)):
            return "actor"
        if not W.PLACE_NOUNS.isdisjoint(after[:2]):
            return "placed"
        if not W.VICTIM_NOUNS.isdisjoint(after):
            return "victim"
        return "mention"
    if prev in W.ORIGIN:
        before = low[max(0, m.start - 6) : m.start - 1]
        armed = not (W.ACTOR_NOUNS.isdisjoint(before) and W.ATTACK.isdisjoint(before)) or (
            not W.MOVE.isdisjoint(before) and not W.ACTOR_NOUNS.isdisjoint(low))
        return "origin" if armed and W.TRADE.isdisjoint(before) else "place"
    # A capital may stand for its state ("Moscow says", "accused Kyiv"): then it is no place
    # (or the region of that name: the city-regions Kyiv, Tehran; Washington state)
    state = m.place.kind in ("country", "territory") or (
        m.place.kind in ("city", "region") and (m.place.name, m.place.country) in capitals)
    if state and after[:2] in _ACCUSED:
        return "actor"  # "Iran blamed for drone attack", "Rwanda accused of shelling": the doer
    if after[:1] and after[0] in W.SAYS and state:
        # "..., Japan says": who reports it, not where it happened (unless it tells its deed)
        return "actor" if _own_deed(after) else "source"
    if prev in W.BY or prev in W.BLAME or (
            prev in ("on", "to") and m.start > 1 and low[m.start - 2] in W.BLAMED):
        return "actor" if state else "placed"
    if prev == "pro" or after[:1] in (("based",), ("led",)):
        return "actor"  # "Afghanistan-based rebels", "US-led coalition strike"
    if after[:1] == ("s",) and not W.ACTOR_NOUNS.isdisjoint(after[1:3]):
        return "actor"
    if after[:1] and after[0] in W.ACTOR_NOUNS and " ".join(low[m.start : m.end]) in _ABBREVIATED:
        return "actor"  # "US troops", "in UK strikes": an abbreviation stands as a demonym does
    if m.place.kind == "country" and after[:1] and prev not in W.LOCATIVE and (
            after[0] in _SUBJECT_VERBS or after[0] in _FIGHTERS
            or (m.start == 0 and after[0] in _KILL_VERBS)):
        return "actor"  # "Turkey bombs ...", "Burkina Faso jihadists kill ..."
    if prev in W.LOCATIVE or prev in W.ATTACK:
        return "placed"
    return "place"


def _own_deed(after: Sequence[str]) -> bool:
    """``after`` (the words after a state that speaks) tells its own attack: "Ukraine says its
    forces advanced", "IDF says it killed", not "Japan says a missile fell"."""
    return (after[1:2] in (("its",), ("their",)) and not W.ACTOR_NOUNS.isdisjoint(after[2:3])
            or after[1:2] == ("it",) and not W.ATTACK.isdisjoint(after[2:3]))


def attack_in(low: Sequence[str]) -> bool:
    """Attack words in the text, "fire" not counted in a text about a blaze (lexicon.BLAZE)."""
    hits = W.ATTACK.intersection(low)
    return bool(hits) and (not hits <= FIRE or BLAZE.isdisjoint(low))


def scene(geo: Geography, low: Sequence[str], mentions: Sequence[PlaceMention],
          groups: Sequence[str] = ()) -> Scene:
    """``low``: folded tokens; ``groups``: homes of the named groups, in order."""
    if not mentions and not groups:
        return _ATTACK if attack_in(low) else _NOTHING
    actors: list[str] = list(groups)
    targets: list[str] = []
    origins: list[str] = []
    victims: list[str] = []
    borders: list[str] = []
    sources: list[str] = []
    placed: list[Place] = []
    others: list[Place] = []
    handoff = False
    for k, m in enumerate(mentions):
        role, h = _role(low, m, geo.capitals), home(m.place)
        if handoff and role == "place":
            role = "placed"
        # "into Russia's Belgorod region": the region after the possessive is the place
        nxt = mentions[k + 1] if k + 1 < len(mentions) else None
        handoff = role == "placed" and nxt is not None and nxt.start == m.end + 1 and (
            low[m.end : m.end + 1] == ("s",))
        if handoff:
            role = "place"
        if role == "actor":
            actors.append(h)
        elif role == "origin":
            origins.append(h)
            actors.append(h)
        elif role == "victim":
            victims.append(h)
        elif role == "border":
            borders.append(h)
        elif role == "source":
            sources.append(h)
        elif role == "placed":
            targets.append(h)
            placed.append(m.place)
        elif role == "place":
            # A country named in passing ("the U.S. and South Korea held drills") is listed
            # among the places but is no target; towns, regions and territories are.
            if m.place.kind != "country":
                targets.append(h)
            others.append(m.place)
    if COALITION in low and _coalition_acts(low):
        actors.append(COALITION)
    places = list(dict.fromkeys(placed + others))
    return Scene(tuple(dict.fromkeys(actors)), tuple(dict.fromkeys(targets)), tuple(places),
                 tuple(dict.fromkeys(origins)), attack_in(low),
                 tuple(dict.fromkeys(victims)), tuple(dict.fromkeys(borders)),
                 tuple(dict.fromkeys(sources)))


def foreign_pairs(geo: Geography, s: Scene) -> list[tuple[str, str, bool]]:
    """(actor home, target home, neighbours?) for actors acting in another country's place."""
    out = []
    for a in s.actors:
        for t in s.targets:
            if a != t:
                out.append((a, t, geo.are_neighbours(a, t)))
    return out
