"""Alias resolution, context rules for ambiguous aliases, and candidate group names."""

from __future__ import annotations

import pytest

from classifiers.gazetteer import Gazetteer, default_gazetteer


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fighters of the Legion of Free Russia crossed the border", ["Freedom of Russia Legion"]),
        ("The Liberty of Russia Legion said it shelled a checkpoint", ["Freedom of Russia Legion"]),
        ("Бойцы ЛСР и РДК перешли границу", ["Freedom of Russia Legion", "Russian Volunteer Corps"]),  # noqa: E501
        ("Легион «Свобода России» заявил об атаке", ["Freedom of Russia Legion"]),
        ("Русский добровольческий корпус заявил", ["Russian Volunteer Corps"]),
        ("The RDK posted a video from the village", ["Russian Volunteer Corps"]),
        ("ISIS claimed the bombing", ["Islamic State"]),
        ("IS fighters attacked an army post", ["Islamic State"]),
        ("Islamic State Khorasan Province claimed the attack", ["Islamic State Khorasan Province"]),
        ("AL-SHABAAB militants stormed a base", ["al-Shabaab"]),
        ("Al Aqsa Martyrs Brigades said two members died", ["Al-Aqsa Martyrs' Brigades"]),
        ("Hezbollah and Hamas issued statements", ["Hezbollah", "Hamas"]),
        ("Sibir Battalion fighters joined the raid into Belgorod region", ["Siberian Battalion"]),
    ],
)
def test_aliases_resolve_to_canonical_names(gaz: Gazetteer, text: str, expected: list[str]):
    assert gaz.resolve(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A TV host named Wagner returns to the morning show",
        "Wagner festival opens with a new staging of the Ring cycle",
        "This is what the mayor said: the budget is balanced",
        "THIS IS THE END of the season",
        "The American Legion hosts a Veterans Day breakfast",
        "Legion of Honour awarded to a chef",
        "Kursk football club fans celebrate",
    ],
)
def test_ambiguous_aliases_need_armed_context(gaz: Gazetteer, text: str):
    assert gaz.resolve(text) == []


def test_ambiguous_alias_counts_next_to_armed_words_or_another_group(gaz: Gazetteer):
    assert gaz.resolve("Wagner mercenaries were seen near the mine") == ["Wagner Group"]
    assert gaz.resolve("The Legion said its fighters took a village") == [
        "Freedom of Russia Legion"
    ]
    # No armed word near "Wagner", but an unambiguous group in the same text.
    assert gaz.resolve("Hamas statement mentions Wagner in passing") == ["Hamas", "Wagner Group"]


def test_candidates_are_unknown_capitalised_armed_names(gaz: Gazetteer):
    text = (
        "Fighters of the Black Sea Partisan Brigade attacked a depot, while the American "
        "Legion, the Salvation Army and the US Army Corps of Engineers sent aid."
    )
    assert gaz.candidates(text, gaz.mentions(text)) == ["Black Sea Partisan Brigade"]
    text = "Rebels of the United Front for Democratic Change seized the town"
    assert gaz.candidates(text) == ["United Front for Democratic Change"]


def test_no_candidates_without_armed_vocabulary_or_for_known_groups(gaz: Gazetteer):
    assert gaz.candidates("The Peace Corps and the Jazz Brigade played a concert") == []
    text = "Militants of the Arakan Army attacked a convoy"
    assert gaz.candidates(text, gaz.mentions(text)) == []


def test_custom_gazetteer_and_bad_entries(tmp_path):
    gaz = Gazetteer([{"name": "Night Owls Brigade", "aliases": ["NOB"], "ambiguous_aliases": []}])
    assert gaz.resolve("NOB fighters struck; nob is a word") == ["Night Owls Brigade"]
    assert gaz.resolve("a nob of butter") == []
    bad = tmp_path / "groups.json"
    bad.write_text('[{"aliases": []}]')
    with pytest.raises(ValueError, match="groups.json.*entry 0"):
        Gazetteer.load(bad)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Prigozhin said on Saturday that Wagner would leave the city within days", "leader"),
        ("The Wagner force took Soledar after months of fighting", "context"),
        ("Wagner took full control of Bakhmut, the Russian defence ministry said", "context"),
        ("Russian Wagner mercenaries were seen near the gold mine", "armed words"),
        ("Malian troops and Wagner moved north towards Kidal and Tinzaouaten", "context"),
    ],
)
def test_ambiguous_alias_confirmed_by_leaders_unit_words_and_war_places(
    gaz: Gazetteer, text: str, why: str
):
    mentions = gaz.mentions(text)
    assert [m.group for m in mentions] == ["Wagner Group"]
    assert mentions[0].why == why


@pytest.mark.parametrize(
    "text",
    [
        "Wagner's Ring cycle returns to Bayreuth with a new staging",
        "The force of Wagner's music fills the hall as the orchestra plays the overture",
        "MSNBC's Wagner interviews the senator about the attack on the Capitol",
        "Rep. Ann Wagner attacked the spending bill",
        "Reporters Without Borders (RSF) said two journalists were attacked",
        "Download the PDF file of the report on the attack",
        "FACT CHECK: claims about the rebels are false",
        "WHAT IS THE PLAN FOR THE ATTACK",
    ],
)
def test_homonyms_are_vetoed_by_their_own_context(gaz: Gazetteer, text: str):
    assert gaz.resolve(text) == []


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Taliban-run government says earthquake killed 1,000 in Herat", "government"),
        ("The Taliban's interim administration said the quake destroyed homes", "government"),
        ("The health ministry run by Hamas said 30 people had died", "government"),
        ("Israeli lawmakers pass the budget amid the Israel-Hamas war", "war-name"),
        ("Shares fell amid the Hezbollah-Israel conflict", "war-name"),
        ("Hamas fighters ambushed troops in Khan Younis", ""),
        ("Hamas attacked the government's positions", ""),
    ],
)
def test_mentions_carry_their_role(gaz: Gazetteer, text: str, role: str):
    assert [m.role for m in gaz.mentions(text)] == [role]


def test_passing_groups_only_when_every_mention_is_passing(gaz: Gazetteer):
    from classifiers.context import active_groups, passing_groups

    only = gaz.mentions("The Taliban government reported 2,000 deaths from the earthquake")
    assert active_groups(only) == [] and passing_groups(only) == {"Taliban": "government"}
    both = gaz.mentions("The Taliban government said Taliban fighters repelled an attack")
    assert active_groups(both) == ["Taliban"] and passing_groups(both) == {}


def test_no_candidate_that_is_part_of_a_matched_group(gaz: Gazetteer):
    text = ("Fighters of the RDK crossed the border; a spokesman for the Volunteer Corps said "
            "the Night Raven Brigade joined them")
    assert gaz.candidates(text, gaz.mentions(text)) == ["Night Raven Brigade"]


def test_group_context_data_is_validated(tmp_path):
    bad = tmp_path / "groups.json"
    bad.write_text('[{"name": "X Front", "aliases": ["XF"], "leaders": "Someone"}]')
    with pytest.raises(ValueError, match="'leaders' must be a list"):
        Gazetteer.load(bad)
    bad.write_text('[{"name": "X Front", "aliases": ["XF"], "ambiguous_aliases": ["YF"]}]')
    with pytest.raises(ValueError, match="are not aliases"):
        Gazetteer.load(bad)
