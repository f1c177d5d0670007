"""Explanations shown in alerts name informative words and the gazetteer entries matched."""

from __future__ import annotations

from classifiers.analyzer import ModelAnalyzer, readable_terms


def test_readable_terms_drop_function_words_and_keep_cues() -> None:
    terms = [("from", 0.9), ("says", 0.8), ("of the", 0.7), ("mortar", 0.6), ("shelled", 0.5),
             ("crossed", 0.4), ("[border words]", 0.3), ("[violence words]", 0.2)]
    assert readable_terms(terms, 5) == [("mortar", 0.6), ("shelled", 0.5), ("crossed", 0.4),
                                        ("[border words]", 0.3), ("[violence words]", 0.2)]


def test_flagged_article_reasons_are_informative(analyzer: ModelAnalyzer) -> None:
    (evidence,) = analyzer.analyze_texts([
        "Militants from across the border attack army post, officials say. Fighters of "
        "al-Shabaab crossed from the neighbouring province and stormed the post before dawn."
    ])
    assert evidence.labels["cross_border_raid"] >= 0.5
    label_reasons = [r for r in evidence.reasons if r.startswith(("cross_border_raid", "armed"))]
    assert label_reasons
    for reason in label_reasons:
        shown = reason.split(": ", 1)[1]
        for stop in ("'from'", "'says'", "'the'", "'of'"):
            assert stop not in shown, reason
    assert any(r.startswith("group al-Shabaab") for r in evidence.reasons)


def test_a_batch_pauses_cyclic_gc_and_leaves_it_as_it_found_it(analyzer, monkeypatch):
    import gc

    from classifiers.analyzer import ModelAnalyzer

    seen: list[bool] = []
    real = ModelAnalyzer._analyze_texts

    def spy(self, texts):
        seen.append(gc.isenabled())
        return real(self, texts)

    monkeypatch.setattr(ModelAnalyzer, "_analyze_texts", spy)
    analyzer.analyze_texts(["Militants from Gaza stormed Sderot"])
    assert seen == [False] and gc.isenabled()
    gc.disable()  # someone else paused it: a batch must not switch it back on
    try:
        analyzer.analyze_texts(["Militants from Gaza stormed Sderot"])
        assert not gc.isenabled()
    finally:
        gc.enable()
