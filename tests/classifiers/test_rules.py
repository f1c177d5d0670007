"""Watch rules: labels, keywords/phrases with folding and word boundaries, regexes, groups,
feeds and languages; configuration errors name the watch."""

from __future__ import annotations

import pytest

from classifiers.base import Evidence
from classifiers.gazetteer import default_gazetteer
from classifiers.rules import RuleWatch, build_watches
from newswatch.config import ConfigError, parse_config
from newswatch.config.watches import WatchConfig
from newswatch.models import Article


def art(title: str, summary: str = "", feed: str = "f1", language: str | None = "en") -> Article:
    return Article(id="a1", feed_id=feed, url="https://x.example/1", title=title,
                   summary=summary, language=language)


NOTHING = Evidence(labels={"cross_border_raid": 0.1, "armed_group": 0.2})


def watch(**kw) -> RuleWatch:
    return RuleWatch(WatchConfig(name="w", **kw))


def test_keywords_fold_case_and_accents_and_respect_word_boundaries():
    w = watch(keywords={"any": ["Kúrsk", "cross-border"]})
    assert w.match(art("Shelling in KURSK region"), NOTHING) is not None
    assert w.match(art("Cross border attack reported"), NOTHING) is not None
    assert w.match(art("Kurskaya street festival"), NOTHING) is None  # no partial words
    raid = watch(keywords={"any": ["raid"]})
    assert raid.match(art("Raiders win the game"), NOTHING) is None
    assert raid.match(art("A dawn RAID on the village"), NOTHING) is not None


def test_keywords_all_and_none_and_phrases():
    w = watch(keywords={"all": ["border", "shelling"], "none": ["exercise"], "any": ["village"]})
    assert w.match(art("Border shelling hits village"), NOTHING) is not None
    assert w.match(art("Border shelling exercise near village"), NOTHING) is None
    assert w.match(art("Border village festival"), NOTHING) is None
    phrase = watch(keywords={"any": ["crossed the border"]})
    assert phrase.match(art("Fighters CROSSED  the  border overnight"), NOTHING) is not None
    assert phrase.match(art("The border was crossed"), NOTHING) is None


def test_regexes_any_and_none():
    w = watch(regexes={"any": [r"\b\d+ (soldiers|fighters) (killed|wounded)"],
                       "none": [r"(?i)exercise"]})
    m = w.match(art("12 soldiers killed in raid"), NOTHING)
    assert m is not None and any("regex" in r for r in m.reasons)
    assert w.match(art("12 soldiers wounded in training exercise"), NOTHING) is None
    assert w.match(art("Soldiers killed"), NOTHING) is None


def test_labels_with_minimum_scores_any_and_all():
    ev = Evidence(labels={"cross_border_raid": 0.8, "armed_group": 0.3})
    assert watch(labels={"cross_border_raid": 0.5}).match(art("x"), ev).score == 0.8
    assert watch(labels={"cross_border_raid": 0.9}).match(art("x"), ev) is None
    both = {"cross_border_raid": 0.5, "armed_group": 0.5}
    assert watch(labels=both).match(art("x"), ev) is not None
    assert watch(labels=both, labels_mode="all").match(art("x"), ev) is None


def test_groups_by_canonical_name_match_every_alias():
    w = watch(groups=["Russian Volunteer Corps"])
    ev = Evidence(labels={}, groups=("Russian Volunteer Corps",))
    m = w.match(art("РДК заявил об атаке"), ev)
    assert m is not None and "watched group Russian Volunteer Corps" in m.reasons
    assert w.match(art("x"), Evidence(labels={}, groups=("Hamas",))) is None
    cands = watch(candidates=True)
    assert cands.match(art("x"), Evidence(labels={}, candidates=("Night Brigade",))) is not None


def test_feed_and_language_filters():
    w = watch(keywords={"any": ["border"]}, feeds=["f2"], languages=["ru"])
    assert w.match(art("border", feed="f1", language="ru"), NOTHING) is None
    assert w.match(art("border", feed="f2", language="en"), NOTHING) is None
    assert w.match(art("border", feed="f2", language="ru"), NOTHING) is not None
    # No language on the article: detected from the text.
    w = watch(keywords={"any": ["граница"]}, languages=["ru"])
    assert w.match(art("Граница закрыта, сообщили власти региона", language=None), NOTHING)


def test_watch_without_conditions_never_matches_and_check_says_why():
    assert watch().match(art("anything"), NOTHING) is None
    m, why = watch(labels={"armed_group": 0.5}).check(art("x"), NOTHING)
    assert m is None and "armed_group 0.20 (min 0.5)" in why


def test_unknown_group_or_label_is_an_error_naming_the_watch():
    cfg = [WatchConfig(name="legion", groups=["Freedom of Rusia Legion"])]
    with pytest.raises(ValueError, match="watch 'legion': unknown group .*did you mean "
                       "'Freedom of Russia Legion'"):
        build_watches(cfg, default_gazetteer().groups, ["armed_group"])
    with pytest.raises(ValueError, match="unknown label 'raid'"):
        build_watches([WatchConfig(name="x", labels={"raid": 0.5})], [], ["armed_group"])


def test_config_rejects_bad_scores_regexes_and_keys():
    with pytest.raises(ConfigError, match=r"<config>:4: watches\[0\]\.labels"):
        parse_config('[[watches]]\nname = "a"\n\nlabels = { armed_group = 1.5 }\n')
    with pytest.raises(ConfigError, match="does not compile"):
        parse_config('[[watches]]\nname = "a"\nregexes = { any = ["("] }\n')
    with pytest.raises(ConfigError, match="unknown key"):
        parse_config('[classifier]\nkind = "model"\nmodle_path = "x"\n')
