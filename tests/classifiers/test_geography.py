"""The geography on our own sentences: names in several languages, demonyms, regions and towns
with their region, the event's place first, actors' homes left out, common words and people's
names not taken for towns, and the features a cross-border attack needs."""

from __future__ import annotations

import marshal
import os

import pytest

from classifiers.corpus import load_corpus, read_jsonl
from classifiers.failure_classes import TARGET, class_files
from classifiers.geo.index import KEEP, default_geography, save
from classifiers.geo.matcher import find
from classifiers.geofeatures import FEATURES, geo_vector, scene_of


def ids(text: str) -> list[str]:
    return [p.id for p in scene_of(text).places]


def fired(text: str) -> set[str]:
    return {f for f, v in zip(FEATURES, geo_vector(text), strict=True) if v}


@pytest.mark.parametrize("name, place", [
    ("Kursk region", "RU-KRS"), ("Белгородская область", "RU-BEL"), ("Kharkiv oblast", "UA-63"),
    ("Aleppo province", "SY-HL"), ("Kiev", "Kyiv"), ("Gaza", "Gaza Strip"),
    ("Крым", "Crimea"), ("UA", "UA"), ("Ukraine", "UA"), ("Украина", "UA"), ("Ucrania", "UA"),
    # news spellings of scientific transliterations (ISO 3166-2 writes Tavuš, Širak, Syunik')
    ("Tavush Province", "AM-TV"), ("Shirak", "AM-SH"), ("Syunik", "AM-SU"),
])
def test_names_resolve_in_several_languages(name: str, place: str):
    assert place in [p.id for p in default_geography().resolve(name)]


def test_towns_carry_their_region_and_country_and_neighbours_are_known():
    geo = default_geography()
    shebekino = geo.resolve("Shebekino")[0]
    assert (shebekino.kind, shebekino.country, shebekino.region) == ("city", "RU", "RU-BEL")
    assert shebekino.within("RU-BEL") and shebekino.within("RU") and not shebekino.within("UA")
    assert geo.are_neighbours("UA", "RU") and geo.are_neighbours("PS", "IL")
    assert geo.are_neighbours("Kashmir", "PK")  # a disputed territory has its own neighbours
    assert not geo.are_neighbours("UA", "IL")


def test_event_place_first_and_actor_homes_left_out():
    text = "Pakistani jets struck militants in Afghanistan's Khost province overnight"
    assert ids(text)[0] == "AF-KHO" and "PK" not in ids(text)
    s = scene_of(text)
    assert s.actors == ("PK",) and "AF" in s.targets
    # The text says so: a place named as the scene is listed even if it is an actor's home.
    assert ids("Russian troops shell villages in Russia's Belgorod region")[0] == "RU-BEL"


def test_common_words_and_peoples_names_are_not_towns():
    assert ids("Police say the van was split in two near the reading room") == []
    assert "David" not in ids("Prime Minister David Cameron said the talks in London would go on")
    assert ids("Talks in London go on") == ["London"]


def test_group_names_hide_the_places_inside_them():
    # "Freedom of Russia Legion" names no place; the Belgorod region does.
    assert ids("Freedom of Russia Legion fighters attack villages in Belgorod region") == ["RU-BEL"]


def test_cross_border_attack_without_border_words_lights_the_geo_features():
    raid = fired("Fighters from Gaza stormed Sderot at dawn and took hostages back with them")
    assert {"actor in a neighbouring country's place, attack words",
            "attack from one country's place on another's", "hostages and two countries"} <= raid
    home = fired("Nigerian troops kill 20 militants in Borno forest raid")
    assert "actor at home (no foreign place), attack words" in home
    assert not any("neighbouring" in f for f in home)
    assert "distance from the border" in fired("Gunman kills three at a bar 100 miles from the "
                                               "border, police say")
    assert "air, sea or runway incursion words" in fired(
        "Chinese coast guard ships make incursion into Japanese territorial waters")
    assert "troop build-up or drills near a border" in fired(
        "Satellite images show a build-up of tanks near the border with Ukraine")


def test_scene_reads_compass_words_blame_and_border_areas():
    # "in northern Iraq" is where Turkey's bombs fell, not a country named in passing
    assert "actor in a neighbouring country's place, attack words" in fired(
        "Turkey bombs PKK sites in northern Iraq after an attack on its soldiers")
    s = scene_of("Drones hit a Moscow tower; the defence ministry accused Ukraine of the attack")
    assert "UA" in s.actors
    # "the Cameroonian border area" lies in Cameroon; "near the Turkish border" is only a line
    assert "CM" in scene_of("Fighters hit a post in the Cameroonian border area").targets
    line = scene_of("Rebels and jihadists fight for a village in Aleppo near the Turkish border")
    assert line.borders == ("TR",) and "TR" not in line.targets
    assert scene_of("Militants attack posts in Nangarhar close to the border with Pakistan"
                    ).borders == ("PK",)
    assert "BF" in scene_of("Burkina Faso jihadists kill 20 in an attack in Benin").actors


def test_fighting_at_home_near_a_foreign_border_is_told_from_a_crossing():
    at_home = "fighting at home near a foreign border"
    assert at_home in fired("Rebels and jihadists fight for a village in Aleppo province near "
                            "the Turkish border; dozens were killed")
    assert at_home not in fired("Gunmen crossed near the Turkish border and attacked a village "
                                "in Aleppo province")
    assert at_home not in fired("Turkish troops shelled a village in Aleppo province near the "
                                "Turkish border")


def test_a_lone_small_foreign_town_beside_the_texts_own_places_is_a_word():
    # Lido is a town in Italy; here it is a hotel's name in Mogadishu
    assert ids("Militants stormed the Lido beach hotel in Mogadishu") == ["Mogadishu"]
    # a small town named with no other place, or beside its own country's places, stays
    assert ids("Ukrainian shelling hits Shebekino") == ["Shebekino"]
    assert set(ids("Shells from Kharkiv region hit Shebekino in Belgorod region")) >= {
        "Shebekino", "RU-BEL"}


def test_the_reporting_country_is_the_target_when_no_place_is_named():
    assert "named group acting outside its home country" in fired(
        "Toll from the Hamas attack revised to 1,139, Israel says")
    # reported from the group's own home: nothing crossed
    assert "named group acting outside its home country" not in fired(
        "Toll from the Hamas attack revised to 12, Gaza says")


def test_fire_in_a_story_about_a_blaze_is_no_attack():
    assert not scene_of("Fire sweeps through a Paris suburb as firefighters battle the "
                        "flames").attack
    assert scene_of("Troops opened fire on a village in Aleppo province").attack


def test_weapons_massed_in_a_build_up_are_no_attack():
    from classifiers.cues import FEATURES as CUES
    from classifiers.cues import cue_vector

    def violence(text: str) -> float:
        return cue_vector(text)[CUES.index("violence words")]

    moved = "Thailand masses troops and rockets on the Cambodian border"
    assert fired(moved) == {"troop build-up or drills near a border"} and violence(moved) == 0
    # weapons fired, even after a build-up, are an attack
    fired_too = "Cambodian troops massing on the border fired rockets into Surin province"
    assert "troop build-up or drills near a border" in fired(fired_too)
    assert "two countries and attack words" in fired(fired_too) and violence(fired_too) > 0
    assert violence("Rockets hit a border town in Cambodia") > 0  # no build-up: weapons count


def test_failure_class_files_are_held_out_of_training():
    files = class_files()
    assert {f.stem.split("_", 1)[0] for f in files} == set(TARGET)
    trained = {e.title.casefold() for e in load_corpus()}
    for f in files:
        examples = read_jsonl(f)
        assert examples, f
        assert not trained & {e.title.casefold() for e in examples}, f


def test_evaluate_classes_prints_one_f1_per_failure_class(model_dir, capsys):
    from newswatch.cli import main

    assert main(["evaluate", "--classes", "--model", str(model_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = {ln.split()[0]: ln.split() for ln in out if ln.startswith("class") and "_" in ln}
    assert set(rows) == {f.stem for f in class_files()}
    for name, cols in rows.items():
        assert cols[1] == TARGET[name.split("_", 1)[0]]
        assert 0.0 <= float(cols[-1]) <= 1.0  # f1


def test_writing_the_geography_cache_keeps_the_newest_files_of_other_versions(tmp_path):
    for k in range(5):  # files of other checkouts or versions, oldest first
        old = tmp_path / f"geo-old{k}.marshal"
        old.write_bytes(b"x")
        os.utime(old, ns=(10**18 + k * 10**9, 10**18 + k * 10**9))
    (tmp_path / "default-model").mkdir()
    save(tmp_path / "geo-new.marshal", {"format": 0})
    left = sorted(p.name for p in tmp_path.glob("geo-*.marshal"))
    assert KEEP == 3
    assert left == ["geo-new.marshal", "geo-old3.marshal", "geo-old4.marshal"]
    assert (tmp_path / "default-model").is_dir()
    assert marshal.loads((tmp_path / "geo-new.marshal").read_bytes()) == {"format": 0}


def test_group_homes_are_found_by_id_without_loading_the_alias_table():
    from classifiers.gazetteer import default_gazetteer
    from classifiers.geo.index import Geography, _load, home

    geo = default_geography()
    fresh = Geography.__new__(Geography)
    fresh.__dict__.update({k: v for k, v in _load().__dict__.items() if k != "by_name"})
    homes = {g.home for g in default_gazetteer().groups.values() if g.home}
    assert {"UA", "Gaza Strip", "West Bank"} <= homes
    for h in sorted(homes):
        assert fresh.home_of(h) == home(geo.resolve(h)[0]), h
    assert "by_name" not in fresh.__dict__  # classifying never paid for the alias table
    assert fresh.home_of("Kursk") == "RU"  # any other alias still resolves (through it)
    assert fresh.home_of("Qqzxland") == "Qqzxland"  # unknown: itself


def test_a_group_fighting_in_another_of_its_homes_is_not_abroad():
    """A Sahel group (based in Mali, at home in Burkina Faso and Niger too) attacking in Burkina
    Faso is no cross-border actor; the same group in Benin is; "near Mali" is a line."""
    abroad = FEATURES.index("named group acting outside its home country")
    home_near_border = FEATURES.index("fighting at home near a foreign border")
    in_bf = "JNIM fighters kill dozens of soldiers in an attack on a base in northern Burkina Faso."
    in_bj = "JNIM fighters kill dozens of soldiers in an attack on a base in northern Benin."
    assert scene_of(in_bf).actors[0] == "BF" and not geo_vector(in_bf)[abroad]
    assert scene_of(in_bj).actors[0] == "ML" and geo_vector(in_bj)[abroad]
    near = "Jihadists kill 20 soldiers in an ambush in western Niger near Mali."
    assert scene_of(near).borders == ("ML",) and scene_of(near).targets == ("NE",)
    assert geo_vector(near)[home_near_border]
    # "the Sahel" is the belt across Africa, not Burkina Faso's region of that name
    assert [p.id for p in default_geography().resolve("Sahel Region")] == ["BF-12"]
    assert default_geography().resolve("Sahel") == []


def test_a_demonym_before_a_weapon_is_the_attacker():
    s = scene_of("Russian glide bombs hit Zaporizhzhia, killing four.")
    assert (s.actors, s.targets) == (("RU",), ("UA",))
    assert scene_of("Russian shells struck Kherson overnight.").actors == ("RU",)
    # ... and so is one before the attack itself ("Russian attack on Odesa")
    for text in ("Russian attack on Odesa kills three", "Overnight Russian barrage on Kyiv",
                 "Israeli assault on Rafah"):
        assert scene_of(text).actors == (("IL",) if "Israeli" in text else ("RU",)), text
    assert scene_of("Russian attack on Odesa kills three").targets == ("UA",)
    # a demonym before anything else stays a mention
    assert scene_of("Russian officials visited Zaporizhzhia.").actors == ()


def test_a_capital_that_speaks_or_is_blamed_stands_for_its_state():
    s = scene_of("Moscow accused Kyiv of shelling Belgorod.")
    assert (s.actors, s.targets, s.sources) == (("UA",), ("RU",), ("RU",))
    s = scene_of("Venezuelan troops mass near the frontier. Georgetown asked the UN to intervene.")
    assert "GY" not in s.targets and s.sources == ("GY",)
    # struck, it is a place as before
    assert scene_of("Russian missiles hit Kyiv overnight.").targets == ("UA",)


def test_every_form_of_seize_and_capture_is_an_attack_word():
    """"seize" counted as well as "seized": a town taken near a foreign border by the country's
    own rebels is fighting at home, whatever the tense."""
    for verb in ("seize", "seizes", "seized", "capture", "captures", "captured"):
        text = f"Myanmar resistance fighters {verb} a town in Shan state near the Chinese border"
        assert "fighting at home near a foreign border" in fired(text), verb
    assert not fired("Myanmar resistance fighters enter a town in Shan state near the "
                     "Chinese border")


def test_headline_subjects_and_state_forces_are_attackers():
    s = scene_of("Russia pounds Ukraine's energy grid in massive overnight strike")
    assert (s.actors, s.targets) == (("RU",), ("UA",))
    assert scene_of("IRGC fires ballistic missiles at a base in Erbil").actors == ("IR",)
    assert "IL" in scene_of("IDF strikes Hezbollah targets in southern Lebanon").actors
    # "kills" makes a country the attacker only as the headline's subject ...
    s = scene_of("Israel kills Hezbollah commander in strike on Beirut suburb")
    assert "IL" in s.actors and "LB" in s.targets
    # ... not after other words (a storm's toll), nor a country after "in"
    assert "BD" not in scene_of("Cyclone destroys parts of India and Bangladesh, kills dozens "
                                "in Khulna").actors
    assert scene_of("A drought in Somalia pushes thousands into camps in Baidoa").actors == ()



def test_us_in_capitals_is_the_country_even_where_us_is_a_word():
    def names(text: str) -> list[str]:
        return [m.place.id for m in find(default_geography(), text)]

    # "US" opening a headline or in a Title Case line (where "us" the word is skipped)
    assert names("US drone strike in Somalia kills militants") == ["US", "SO"]
    assert names("Strikes By US Forces Hit Militia Sites In Iraq") == ["US", "IQ"]
    assert names("TELL US WHAT YOU THINK") == []  # a line in capitals shouts, it names nothing
    assert names("Let us know what you think") == names("Us Weekly cover story") == []


def test_coalitions_abbreviations_and_states_telling_their_deeds_are_attackers():
    assert scene_of("US troops kill militant leader in raid in northern Syria").actors == ("US",)
    assert scene_of("Three killed in UK strikes in Iraq").actors == ("GB",)
    assert scene_of("US-led coalition strike kills militant leader in Syria").actors[0] == "US"
    s = scene_of("Ukraine says its forces advanced deeper into Russia's Kursk region")
    assert (s.actors, s.targets, s.sources) == (("UA",), ("RU",), ())
    assert scene_of("IDF says it killed a commander in Khan Younis").actors == ("IL",)
    assert scene_of("Japan says a missile fell in its waters").sources == ("JP",)
    # the accused is the doer, the accuser the source
    assert scene_of("Rwanda accused of shelling Congolese villages").actors == ("RW",)
    s = scene_of("Russia accused Ukraine of shelling Belgorod")
    assert (s.actors, s.sources) == (("UA",), ("RU",))
    # A coalition's aircraft are foreign wherever they strike; a ruling coalition is no actor
    text = "Coalition airstrike on prison in Saada kills at least 70"
    assert scene_of(text).actors == ("coalition",)
    assert "actor of one country in another's place" in fired(text)
    assert scene_of("Ruling coalition strikes deal on budget in Berlin").actors == ()


def test_the_geography_reason_names_where_and_the_foreign_actors():
    from classifiers.analyzer import geo_reason

    assert geo_reason(scene_of("Ukrainian drones hit a refinery in Krasnodar")) == \
        "where: Krasnodar (RU); actors from UA"
    assert geo_reason(scene_of("Coalition airstrike on prison in Saada kills at least 70")) \
        .endswith("; actors from a coalition")
