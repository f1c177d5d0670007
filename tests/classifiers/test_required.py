"""The issue's required case and a few behaviours of the trained default model."""

from __future__ import annotations

from classifiers.analyzer import ModelAnalyzer

VOLUNTEER_RAID = (
    "Volunteer units raid Russia's Belgorod border region, claim control of a village\n"
    "Fighters of the Legion of Free Russia and the RDK said they crossed from Ukraine at dawn "
    "and attacked a border post; the regional governor reported shelling and several wounded."
)


def test_volunteer_raid_naming_two_groups_under_aliases(analyzer: ModelAnalyzer):
    ev = analyzer.analyze_texts([VOLUNTEER_RAID])[0]
    assert ev.labels["cross_border_raid"] >= 0.5, ev
    assert ev.labels["armed_group"] >= 0.5, ev
    assert set(ev.groups) == {"Freedom of Russia Legion", "Russian Volunteer Corps"}
    text = " ".join(ev.reasons)
    assert "'Legion of Free Russia'" in text and "'RDK'" in text
    assert any(r.startswith("cross_border_raid ") for r in ev.reasons)
    assert any(r.startswith("armed_group ") for r in ev.reasons)


def test_homonyms_and_police_raids_are_not_flagged(analyzer: ModelAnalyzer):
    texts = [
        "TV host Wagner returns to the morning show after a summer break",
        "Police raid a warehouse and seize counterfeit sneakers",
        "City council approves new bicycle lanes downtown",
        "Border crossing queues ease as new customs lanes open",
    ]
    for text, ev in zip(texts, analyzer.analyze_texts(texts), strict=True):
        assert max(ev.labels.values()) < 0.5, (text, ev)
        assert ev.groups == () and ev.reasons == ()


def test_explanations_name_terms_and_gazetteer_entries(analyzer: ModelAnalyzer):
    ev = analyzer.analyze_texts(
        ["Al-Shabaab militants cross from Somalia and attack a Kenyan border post"]
    )[0]
    assert ev.labels["armed_group"] >= 0.5
    assert "al-Shabaab" in ev.groups
    assert any(r.startswith("group al-Shabaab (as ") for r in ev.reasons)
    assert ev.model_version.startswith("nwclf-")
