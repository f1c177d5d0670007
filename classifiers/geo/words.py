"""Word lists for the geography: ordinary words that are also place names, and the nouns and
verbs that make a place or demonym an actor ("Russian troops"), a target ("into Belgorod") or
a victim ("Israeli hostages")."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from functools import cache

from classifiers.lexicon import english_stop_words
from classifiers.text import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


@cache
def common_words() -> frozenset[str]:
    """Words our corpus writes in lower case (plus English stop words): a place name that is
    one of them ("police", "split", "van") counts only where it is clearly written as a name.
    Measured on our own news-style corpus, so no word list has to be kept by hand (and kept in
    the cache directory, keyed by the corpus files' contents: counting takes 0.2 s)."""
    from classifiers.corpus import bundled_files
    from classifiers.defaults import cache_dir

    texts = [(path.name, path.read_bytes()) for path in bundled_files()]
    h = hashlib.sha256(b"common-words-1")
    for name, data in texts:
        h.update(f"{name}:{len(data)}:".encode())
        h.update(data)
    path = cache_dir() / f"common-{h.hexdigest()[:16]}.txt"
    try:
        words = path.read_text("utf-8").split()
    except OSError:
        words = _lower_case_words(data.decode("utf-8") for _, data in texts)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text("\n".join(sorted(words)), "utf-8")
            tmp.replace(path)
        except OSError:
            pass  # the cache only saves start-up time
    return frozenset(words) | english_stop_words()


def _lower_case_words(texts: Iterable[str]) -> list[str]:
    """Words written in lower case at least twice."""
    seen: dict[str, int] = {}
    pattern = re.compile(r"(?<![\w'])([a-z][a-z]+)(?![\w'])")
    for text in texts:
        for word in pattern.findall(text):
            seen[word] = seen.get(word, 0) + 1
    return [w for w, n in seen.items() if n >= 2]


# Nouns that make a demonym, a "<country>'s" or "from <place>" an armed actor.
ACTOR_NOUNS = _words(
    """troops troop forces force army armies soldiers soldier military militaries jets jet
    warplanes warplane aircraft planes helicopters helicopter gunships drones drone artillery
    tanks navy marines commandos commando paratroopers saboteurs militants militant fighters
    fighter rebels rebel gunmen insurgents insurgent militia militias militiamen guerrillas
    mercenaries units unit battalion brigade brigades division regiment shelling strikes strike
    airstrikes airstrike raids raid missiles missile rockets rocket forces' partisans guards
    infantry operatives assailants attackers raiders volunteers offensive incursion gang gangs
    gangsters bandits bombs bomb bombers bomber shells munitions warships warship gunboats
    attack attacks assault assaults invasion bombardment ambush barrage counteroffensive"""
)
# Nouns that make a demonym the side that suffered ("Israeli hostages", "Ukrainian civilians").
VICTIM_NOUNS = _words(
    """hostages hostage captives captive civilians civilian villagers residents citizens
    nationals children families victims abductees farmers herders border-dwellers people
    settlers fishermen workers pilgrims village villages town towns communities community
    kibbutz kibbutzim positions position posts post outposts outpost territory soil bases base
    targets cities city border-villages homes refinery depot airfield airbase"""
)
# Nouns that make a demonym a place of the event ("a Pakistani border post").
PLACE_NOUNS = _words(
    """village villages town towns communities community kibbutz kibbutzim positions position
    posts post outposts outpost territory soil bases base city cities airfield airbase
    refinery depot port station stations checkpoint checkpoints camp camps police army"""
)
# Verbs and nouns of an armed attack across a line.
ATTACK = _words(
    """attack attacks attacked attacking strike strikes struck striking airstrike airstrikes
    bomb bombs bombed bombing bombardment bombarded shell shells shelled shelling raid raids
    raided raiding stormed storm storms storming invaded invade invades invasion incursion
    incursions infiltrated infiltrate offensive assault assaulted ambush ambushed fired fire
    firing launched launch launches
    pounded pound hit hits targeted targeting target rocket rockets missile missiles drone
    drones mortar mortars killed kill kills abducted kidnapped seize seizes seized capture
    captures captured overran overrun
    hostage hostages massacre massacred gunfire clashes clashed clash skirmish firefight
    shot shoot shooting rampage pounds pounding hitting launching invading infiltrates
    infiltrating assaults assaulting ambushes ambushing bombards bombarding shoots"""
)
# Words after a place that make it a line on the map, not the scene ("near the Syrian border").
BORDER_REF = _words("border borders frontier frontiers side boundary line")
# Words of a crossing: with them a border named as a line may be the one crossed.
CROSSING = _words("""cross crosses crossed crossing infiltrate infiltrated infiltrating
    infiltrators infiltration incursion incursions across cross-border intruders side""")
# ... unless an area noun follows: "the Cameroonian border area" lies in Cameroon.
BORDER_AREA = _words("""area areas region regions district districts zone zones village villages
    villagers town towns province provinces community communities""")
# Words before a country that make it the attacker ("blamed on Israel", "strikes by Russia").
BY = _words("by")
BLAMED = _words("blamed attributed")
# Verbs right before a country that name it as the attacker ("Moscow accused Ukraine").
BLAME = _words("accused accuses accusing blamed blames blaming")
# Verbs after a country that make it the source of a report, not a place ("Japan says").
SAYS = _words("says said say reports reported claims claimed accuses accused warns warned "
              "protests protested confirms confirmed tells told denies denied asks asked urges "
              "urged condemns condemned blames blamed")
# Movement that makes "from X" where an attack came from ("crossed the border from Ukraine").
MOVE = _words("cross crosses crossed crossing infiltrate infiltrated infiltrating entered came "
              "sneaked slipped stormed advanced pushed")
# Trade and retreat words: "buys rockets from North Korea", "pulls forces back from Kharkiv"
# are no attack from there.
TRADE = _words("buy buys bought buying purchase purchases purchased import imports imported "
               "supply supplies supplied deliver delivers delivered sell sells sold order "
               "orders ordered deal acquire acquires acquired pull pulls pulling pulled back "
               "withdraw withdraws withdrawing withdrew withdrawn retreat retreats retreated "
               "flee flees fled fleeing evacuate evacuated")
LOCATIVE = _words("in into inside on onto at near across over toward towards targeting "
                  "deep across against")
ORIGIN = _words("from")
# Compass words between a locative and its place: "in northern Iraq", "into eastern Ukraine".
COMPASS = _words("""north south east west northern southern eastern western central northeast
    northwest southeast southwest northeastern northwestern southeastern southwestern far""")
HOSTAGE = _words("""hostage hostages captive captives abducted abduction abductions kidnapped
    kidnapping kidnappings abductees""")  # people, not "seized" positions or goods
# Attack words that are weapons, not deeds: in a build-up story they are moved, not fired.
WEAPONS = _words("""rocket rockets missile missiles drone drones mortar mortars artillery shells""")
DISTANCE_WORDS = _words("mile miles mi km kilometre kilometres kilometer kilometers")
INCURSION_WORDS = _words("""incursion incursions intrusion intrusions intruded violated violation
    violations violating breach breached breaching entered entering trespass trespassed strayed""")
# "N miles from the border": a place placed by distance, not an event across the line.
DISTANCE = re.compile(
    r"\b\d[\d,.]*\s*(?:-\s*)?(?:miles?|mi|km|kilometres?|kilometers?)\s+(?:\w+\s+){0,2}"
    r"(?:from|of|away from|south of|north of)\s+(?:the\s+)?(?:\w+\s+){0,2}(?:border|frontier)",
    re.IGNORECASE)
NOT_GROUND = re.compile(
    r"\b(?:air[- ]?defen[cs]e (?:identification )?zone|adiz|airspace|coast ?guard|runway|"
    r"(?:territorial )?waters|fishing (?:boat|vessel)s?|vessels?|warships?|balloons?|"
    r"survey (?:plane|ship|vessel)s?|"
    r"(?:incursion|intrusion)s? (?:into|of) (?:its|the) (?:air|sea|waters))\b", re.IGNORECASE)
# Every word BUILDUP matches starts one of these tokens (a quick test before the pattern).
BUILDUP_WORDS = _words("""build buildup buildups massing mass masses massed amass amassing amasses
    amassed concentration concentrating reinforce reinforces reinforced reinforcing
    reinforcements deploy deploys deployed deploying deployment drill drills exercise exercises
    manoeuvres maneuvers""")
BUILDUP = re.compile(
    r"\b(?:build-?ups?|buildups?|massing|mass(?:es|ed)? troops|amass(?:ing|es|ed)?|"
    r"concentrat(?:ion|ing)|reinforc(?:e|es|ed|ing|ements)|deploy(?:s|ed|ing|ment)?|"
    r"drills?|exercises?|manoeuvres|maneuvers)\b", re.IGNORECASE)


def buildup_in(text: str, words: Iterable[str]) -> bool:
    """A troop build-up, deployment or drill told in ``text`` (``words``: its folded tokens)."""
    return not BUILDUP_WORDS.isdisjoint(words) and BUILDUP.search(text) is not None
