"""Cue-word lists (folded on import) used by the gazetteer's context rules and features."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

from classifiers.text import fold


def _words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


# Armed vocabulary: an ambiguous alias ("IS", "Wagner", "Legion") needs one of these nearby.
ARMED = _words(
    """fighters fighter militants militant militia militias militiamen rebels rebel insurgents
    insurgent insurgency mercenaries mercenary jihadists jihadist jihadi gunmen armed attack
    attacks attacked attacking ambush ambushed raid raided raids raiding offensive shelling
    shelled drone drones rocket rockets mortar mortars bombing bombings bomber suicide killed
    kidnapped abducted hostages hostage claimed claims responsibility commander commanders
    troops soldiers military terrorist terrorists terror paramilitary paramilitaries pmc
    brigade brigades battalion battalions sabotage saboteurs partisans partisan guerrilla
    guerrillas guerrillas weapons combatants clashes clashed fighting fought seized captured
    ceasefire truce frontline units unit group offensive incursion insurgents warlord
    militants’ boeviki боевики боевиков бойцы бойцов атака атаку атаки обстрел обстрела
    диверсанты диверсионная диверсионной вторжение теракт наемники бойовики атаку обстріл
    combattants attaque jihadistes terroristes revendique rebelles milice armee
    combatientes ataque guerrilleros rebeldes milicia"""
)

# The stricter subset that confirms an ambiguous alias ("IS fighters", "Wagner mercenaries"):
# words about a group acting, not merely about weapons or the state's military.
GROUP_CONTEXT = _words(
    """fighters fighter militants militant militia militias militiamen rebels rebel insurgents
    insurgent insurgency mercenaries mercenary jihadists jihadist jihadi gunmen claimed claims
    responsibility commander commanders group's group affiliate affiliated loyalists
    chief boss founder separatists separatist leader leaders controlled held stronghold
    paramilitary pmc guerrillas guerrilla partisans saboteurs ambush ambushed attacked attack
    боевики боевиков бойцы бойцов наемники бойовики combattants jihadistes rebelles milice
    combatientes guerrilleros rebeldes milicia"""
)

# Words that make "<group> <word>" or "<word> run by <group>" the government of a place.
GOVERNMENT = _words(
    """government governments administration authorities ministry ministries minister ministers
    rulers regime cabinet governor governors"""
)

# The state side of a war named after its two sides ("Israel-Hezbollah conflict").
WAR_SIDES = _words(
    """israel ukraine russia gaza lebanon syria yemen saudi iraq iran turkey afghanistan pakistan
    india nigeria sudan somalia ethiopia mali myanmar colombia us usa america egypt kenya congo
    drc philippines mozambique niger burkina chad cameroon"""
)

# Border vocabulary for cross-border raid cues.
BORDER = _words(
    """border borders frontier frontiers crossborder crossed crossing incursion incursions
    infiltrated infiltrate infiltrating infiltration neighbouring neighboring
    boundary граница границу границы границе приграничный приграничные
    приграничных приграничье вторжение кордон кордону прикордонний прикордонні frontiere
    transfrontalier frontera fronterizo"""
)

# Violence vocabulary (a narrower view of ARMED for the raid cue feature).
VIOLENCE = _words(
    """attack attacks attacked raid raided raids incursion incursions shelling shelled shells
    rockets rocket mortar mortars artillery fire fired firing clashes clashed clash ambush
    ambushed killed wounded fighting assault stormed drone drones sabotage saboteurs
    infiltrated gunfire skirmish skirmishes firefight обстрел атака бои нападение
    атаки обстріл attaque attaques ataque ataques"""
)

# "Fire" is shooting or a blaze: in a text that speaks of a blaze ("firefighters", "wildfire",
# "flames", "acres burned") the words "fire"/"fires" are not violence (a house fire, a forest
# fire); "opened fire" and "under fire" in war reports carry other violence words anyway.
FIRE = frozenset({"fire", "fires"})
BLAZE = _words(
    """wildfire wildfires blaze blazes firefighter firefighters firefighting flames bushfire
    bushfires arson arsonist engulfed acres hectares"""
)


# Contexts that make "raid"/"border"/"incursion" news about something else.
OFF_TOPIC = _words(
    """police fbi detectives warrant arrested smuggling smugglers customs migrants migrant
    immigration asylum visa tariffs tariff trade exports imports airspace balloon balloons
    cyber hackers hacking ransomware match season league goal coach playoff tournament
    championship album concert film movie recipe stocks shares"""
)

# Capitalised names ending in these words are group-name candidates.
CANDIDATE_SUFFIXES = (
    "Legion",
    "Corps",
    "Brigade",
    "Brigades",
    "Battalion",
    "Battalions",
    "Front",
    "Army",
    "Movement",
    "Regiment",
    "Militia",
    "Militias",
    "Division",
    "Forces",
    "Guards",
    "Detachment",
    "Resistance",
    "Commando",
    "Commandos",
    "Mujahideen",
    "Liberation",
)

# Known non-armed (or state) bodies whose names look like group names.
NOT_GROUPS = frozenset(
    fold(n)
    for n in (
        "American Legion",
        "Salvation Army",
        "Peace Corps",
        "Marine Corps",
        "Job Corps",
        "Army Corps",
        "Foreign Legion",
        "French Foreign Legion",
        "Red Army",
        "Popular Front",
        "National Front",
        "Cold Front",
        "Warm Front",
        "Home Front",
        "Western Front",
        "Eastern Front",
        "Press Corps",
        "Diplomatic Corps",
        "Medical Corps",
        "Signal Corps",
        "Air Corps",
        "Civilian Conservation Corps",
        "Conservation Corps",
        "Legion of Honour",
        "Legion of Honor",
        "Revolutionary Guards",
        "Republican Guards",
        "Coast Guards",
        "National Guards",
        "Swiss Guards",
        "Women's Army",
        "Tartan Army",
        "Barmy Army",
        "Marching Band",
        "Continental Army",
        "Union Army",
        "Confederate Army",
        "Terracotta Army",
        "Rebel Alliance",
        "People's Liberation Army",
        "Self-Defense Forces",
        "Defense Forces",
        "Defence Forces",
        "Armed Forces",
        "United States",
        "Special Forces",
        "Security Forces",
        "Allied Forces",
        "Rapid Reaction Forces",
        "Liberation Movement",
        "Civil Rights Movement",
    )
)

# Leading words that make a "... Army/Forces/Corps" a state body (or no name at all).
STATE_OR_FILLER = _words(
    """us u s usa american british uk russian russia ukrainian ukraine israeli
    israel iranian iran iraqi iraq syrian turkish turkey indian india pakistani pakistan chinese
    china french france german germany polish poland lebanese egyptian saudi afghan nigerian
    malian sudanese somali kenyan ethiopian congolese myanmar burmese thai filipino philippine
    colombian venezuelan mexican japanese korean south north national royal imperial federal
    state marine navy naval air the a an his her their our its new old regular people s and
    of for in on at says said after as with by to from""".replace("people s", "")
)



@cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, read without importing scikit-learn (whose package
    import pulls in scipy.stats: over a second of a one-line ``newswatch classify``)."""
    if "sklearn" not in sys.modules:
        spec = importlib.util.find_spec("sklearn")  # locates the package, does not import it
        roots = spec.submodule_search_locations if spec else None
        path = Path(roots[0], "feature_extraction", "_stop_words.py") if roots else None
        if path is not None and path.is_file():
            namespace: dict[str, object] = {}
            exec(compile(path.read_text("utf-8"), str(path), "exec"), namespace)
            words = namespace.get("ENGLISH_STOP_WORDS")
            if isinstance(words, frozenset):
                return words
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)
