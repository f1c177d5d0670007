"""Geography features: an actor of one country acting in a place of another (computed here
without scikit-learn; :class:`classifiers.geofeatures.GeoFeatures` is the transformer).

A small dense block beside the n-grams and :mod:`classifiers.features`' cue words, so the
model can learn what a reader knows: "Fighters from Gaza stormed Sderot" or "Pakistan's jets
struck militants in Afghanistan" cross a border without saying so, while "Nigerian troops
kill militants in Borno", a shooting "100 miles from the border", an air-defence-zone
"incursion" and a build-up of troops near a frontier do not (see :mod:`classifiers.geo`).
"""

from __future__ import annotations

from functools import lru_cache

from classifiers.cues import mentions_of
from classifiers.gazetteer import default_gazetteer
from classifiers.geo import words as W
from classifiers.geo.index import default_geography
from classifiers.geo.matcher import PlaceMention, find
from classifiers.geo.scene import Scene, foreign_pairs, scene
from classifiers.lexicon import BORDER
from classifiers.text import folded_tuple

FEATURES = (
    "actor of one country in another's place",
    "actor in a neighbouring country's place",
    "actor in another country's place, attack words",
    "actor in a neighbouring country's place, attack words",
    "attack from one country's place on another's",
    "hostages and two countries",
    "actor at home (no foreign place), attack words",
    "two countries and attack words",
    "distance from the border",
    "air, sea or runway incursion words",
    "troop build-up or drills near a border",
    "named group acting outside its home country",
    "fighting at home near a foreign border",
)


@lru_cache(maxsize=1024)
def _home_key(place_id: str) -> str:
    """A group's ``home`` (a Place id: "UA", "Gaza Strip") as the country it lies in."""
    return default_geography().home_of(place_id)


def place_mentions_of(text: str) -> tuple[PlaceMention, ...]:
    """Place names and demonyms outside the named groups' names ("Freedom of Russia Legion").
    (Not cached itself: :func:`state_scene_of`, its one caller per text, is.)"""
    return tuple(find(default_geography(), text,
                      skip=[(m.start, m.end) for m in mentions_of(text)]))


def scene_of(text: str) -> Scene:
    """Actors (named groups' homes first), targets and event places of ``text``: the cached
    :func:`state_scene_of` with the named groups' homes added (not cached again: every cached
    result outlives its batch, and the cyclic collector walks each one after the batch)."""
    s = state_scene_of(text)
    groups = mentions_of(text)
    if not groups:
        return s
    gaz = default_gazetteer()
    homes = [_group_home(h, s.targets) for m in groups if (h := gaz.groups[m.group].homes)]
    return s._replace(actors=tuple(dict.fromkeys([*homes, *s.actors])))


def _group_home(homes: tuple[str, ...], targets: tuple[str, ...]) -> str:
    """The country a group acts from: of its homes, the first the text's event lies in (a
    Sahel group in Burkina Faso fights at home there), else its base."""
    keys = [_home_key(h) for h in homes]
    return next((t for t in targets if t in keys), keys[0])


@lru_cache(maxsize=4096)
def state_scene_of(text: str) -> Scene:
    """The scene without named groups: actors are states, demonyms and "from X" places."""
    return scene(default_geography(), folded_tuple(text), place_mentions_of(text))


def _reported(s: Scene) -> Scene:
    """With no place of the event named, the country that reports an attack is where it fell
    ("Toll from the Hamas massacre revised to 1,139, Israel says")."""
    if s.targets or not s.sources or not s.attack:
        return s
    return s._replace(targets=tuple(h for h in s.sources if h not in s.actors))


def geo_vector(text: str) -> list[float]:
    s = _reported(state_scene_of(text))
    words = set(folded_tuple(text))
    out = [0.0] * len(FEATURES)
    border = not BORDER.isdisjoint(words)
    if border and W.buildup_in(text, words):
        out[10] = 1.0
        if s.attack and W.ATTACK.intersection(words) <= W.WEAPONS:
            s = s._replace(attack=False)  # "massing troops and rockets": moved, not fired
    if s.actors or s.targets:
        pairs = foreign_pairs(default_geography(), s)
        homes = {*s.actors, *s.targets}
        two = len(homes) >= 2
        out[0] = float(bool(pairs))
        out[1] = float(any(n for _, _, n in pairs))
        if s.attack:
            out[2], out[3] = out[0], out[1]
            out[4] = float(any(o != t for o in s.origins for t in s.targets))
            out[6] = float(bool(s.actors) and not pairs and (bool(s.targets) or border))
            out[7] = float(two)
        victims = {*homes, *s.victims}
        out[5] = float(len(victims) >= 2 and not W.HOSTAGE.isdisjoint(words))
    if s.attack and mentions_of(text):
        full = _reported(scene_of(text))
        abroad = set(full.actors) - set(s.actors)
        out[11] = float(any(a != t for a in abroad for t in full.targets))
    else:
        full = s
    if s.borders and s.attack and W.CROSSING.isdisjoint(words):
        # "Rebels and jihadists fight near the Turkish border" in Syria: one country's fight
        homes = {*full.actors, *full.targets, *full.origins, *full.victims}
        out[12] = float(len(homes) == 1 and homes.isdisjoint(s.borders))
    if not W.DISTANCE_WORDS.isdisjoint(words) and W.DISTANCE.search(text):
        out[8] = 1.0
    if not W.INCURSION_WORDS.isdisjoint(words) and W.NOT_GROUND.search(text):
        out[9] = 1.0
    return out
