"""The issue's required case and a few behaviours of the trained default model."""

from __future__ import annotations

from classifiers.analyzer import ModelAnalyzer
from classifiers.model import MAX_CHARS
from newswatch.models import Article

# The reference case, in our own words: a ~3,000-character report whose two groups are
# named, under aliases only, in its last third (after the model's lede of MAX_CHARS).
REFERENCE_TITLE = "Armed volunteers cross into Russia's Belgorod region in dawn raid, governor says"
REFERENCE_BODY = (
    "Columns of armed men in armoured vehicles crossed the Ukrainian border into Russia's "
    "Belgorod region before dawn on Tuesday, the regional governor said, in one of the deepest "
    "incursions onto Russian soil since the start of the full-scale war. Residents of two "
    "villages near the frontier reported hours of artillery fire, and the governor urged "
    "families to move to shelters while emergency crews evacuated a children's home. "
    "Russia's defence ministry said its border guards and air force were repelling what it "
    "called a sabotage and reconnaissance group, and claimed that dozens of attackers had been "
    "killed. The ministry's statement could not be independently verified. Video posted on "
    "social media and checked by reporters showed a burning checkpoint on the road between the "
    "border crossing and the district centre, and a tank with its turret torn off standing in "
    "a field of sunflowers.\n"
    "By midday the fighting had spread to a second district further east, where the local "
    "administration said a drone had struck a fuel depot and cut power to several thousand "
    "homes. Regional officials declared a counter-terrorism regime, which gives the security "
    "services wide powers to search homes, restrict movement and tap telephones. Schools across "
    "the region were closed for the rest of the week and trains to the regional capital were "
    "suspended. Kyiv denied any role in the operation. A spokesman for Ukraine's military "
    "intelligence said the attackers were Russian citizens who had taken up arms against the "
    "Kremlin, and that Ukraine had no say in where they chose to fight. Military analysts said "
    "the raid was probably meant to draw Russian reserves away from the front line in the east "
    "and to show Russians that their own government could not protect its border regions. "
    "Similar but smaller incursions last year had lasted less than two days before the units "
    "withdrew across the frontier, leaving mined roads and burnt-out vehicles behind them. "
    "The governor said that at least nine civilians had been wounded and one killed.\n"
    "In the evening two armed groups made up of Russian exiles said they were behind the raid. "
    "The Legion of Free Russia published a video in which masked fighters stood beside a "
    "captured armoured personnel carrier and said they had taken control of a village council "
    "building. The RDK, a far-right formation whose leader lives in exile, said its men had "
    "ambushed a convoy of reinforcements and taken several soldiers prisoner. A spokesman for "
    "the Volunteer Corps told reporters by telephone that the groups would keep operating "
    "inside Russia until the war ends, and he called on residents to stay indoors and away "
    "from military vehicles. Both groups have claimed earlier raids into the Kursk and Bryansk "
    "regions, and both say they fight alongside, but not under the command of, Ukraine's army. "
    "Russian prosecutors have designated them terrorist organisations and opened criminal cases "
    "against their members in absentia."
)


def test_reference_article_names_both_groups_from_its_last_third(analyzer: ModelAnalyzer):
    article = Article(id="ref", feed_id="wire", url="https://wire.example/ref",
                      title=REFERENCE_TITLE, summary="", content=REFERENCE_BODY)
    text = article.text
    assert 2800 <= len(text) <= 3300
    assert text.find("Legion of Free Russia") > MAX_CHARS and text.find("RDK") > MAX_CHARS
    ev = analyzer.analyze([article])[0]
    assert set(ev.groups) == {"Freedom of Russia Legion", "Russian Volunteer Corps"}, ev
    assert ev.labels["armed_group"] >= 0.5, ev
    assert ev.labels["cross_border_raid"] >= 0.5, ev
    # "the Volunteer Corps" is part of a group already matched: no candidate.
    assert ev.candidates == (), ev.candidates
    reasons = " ".join(ev.reasons)
    assert "'Legion of Free Russia'" in reasons and "'RDK'" in reasons

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
