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
