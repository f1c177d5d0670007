"""Watches with ``places``: entries resolve through the geography's aliases, a place inside a
watched one counts, unknown places are config errors with file, line and a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifiers.analyzer import ModelAnalyzer, load_analyzer
from classifiers.base import Evidence
from classifiers.rules import RuleWatch, build_watches
from newswatch.cli import main
from newswatch.config.watches import WatchConfig
from newswatch.models import Article, Place

SHEBEKINO = Place("Shebekino", "Shebekino", "city", "RU", "RU-BEL")
SUMY = Place("UA-59", "Sumy", "region", "UA", "")


def art(title: str, summary: str = "") -> Article:
    return Article(id="a1", feed_id="f", url="https://x.example/1", title=title, summary=summary)


def ev(*places: Place) -> Evidence:
    return Evidence(labels={"cross_border_raid": 0.9, "armed_group": 0.1}, places=places)


def built(*places: str, **kw) -> RuleWatch:
    return build_watches([WatchConfig(name="w", places=list(places), **kw)])[0]


def test_region_code_takes_towns_inside_it_and_country_codes_take_regions():
    w = built("RU-BEL", labels={"cross_border_raid": 0.5})
    m = w.match(art("x"), ev(SUMY, SHEBEKINO))
    assert m is not None and "where: Shebekino" in m.reasons
    assert m.places == (SUMY, SHEBEKINO)
    assert w.match(art("x"), ev(SUMY)) is None
    assert built("RU").match(art("x"), ev(SHEBEKINO)) is not None
    assert built("IL").match(art("x"), ev(SHEBEKINO)) is None
    assert "no event in the watched places" in built("IL").check(art("x"), ev(SUMY))[1]


def test_entries_resolve_through_aliases_in_several_languages():
    # "Belgorod region" and "Белгородская область" are RU-BEL; "Kiev" is the city of Kyiv.
    for entry in ("Belgorod region", "Белгородская область", "RU-BEL"):
        assert built(entry).match(art("x"), ev(SHEBEKINO)) is not None, entry
    kyiv = Place("Kyiv", "Kyiv", "city", "UA", "UA-30")
    assert built("Kiev").match(art("x"), ev(kyiv)) is not None
    assert built("Kursk").match(art("x"), ev(SHEBEKINO)) is None
    gaza = Place("Gaza Strip", "Gaza Strip", "territory", "PS", "")
    assert built("Gaza").match(art("x"), ev(gaza)) is not None
    assert built("PS").match(art("x"), ev(gaza)) is not None


def test_unknown_place_is_a_config_error_with_line_and_suggestion(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture):
    text = ('[[watches]]\nname = "raids"\nlabels = { cross_border_raid = 0.5 }\n'
            'places = ["RU-BEL", "Belgorot region"]\n\n[[watches]]\nname = "w"\n'
            'places = ["Narnia Heights"]\n')
    cfg = tmp_path / "nw.toml"
    cfg.write_text(text, encoding="utf-8")
    assert main(["check-config", str(cfg)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert (f"error: {cfg}:4: watches[0].places[1]: unknown place 'Belgorot region' "
            "(did you mean 'Belgorod'?)") in err
    assert any(e.startswith(f"error: {cfg}:8: watches[1].places[0]: unknown place 'Narnia "
                            "Heights'") for e in err)
    with pytest.raises(ValueError, match="watch 'w': unknown place 'Narnia Heights'"):
        build_watches([WatchConfig(name="w", places=["Narnia Heights"])])


def test_watch_with_places_matches_only_events_there(model_dir: Path):
    analyzer: ModelAnalyzer = load_analyzer(model_dir)
    raid = art("Pro-Ukrainian fighters cross into Russia's Belgorod region",
               "The governor said saboteurs attacked two villages near Shebekino.")
    other = art("Russian troops shell villages in Ukraine's Sumy region",
                "Regional officials said two people were wounded.")
    belgorod = built("RU-BEL", labels={"cross_border_raid": 0.5})
    sumy = built("Sumy region", labels={"cross_border_raid": 0.5})
    e_raid, e_other = analyzer.analyze([raid, other])
    assert e_raid.places and e_raid.places[0].id == "RU-BEL"
    assert belgorod.match(raid, e_raid) is not None and belgorod.match(other, e_other) is None
    assert sumy.match(other, e_other) is not None and sumy.match(raid, e_raid) is None
