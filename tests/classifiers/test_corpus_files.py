"""The bundled corpus and the held-out failure-class files stay consistent and apart."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from classifiers.corpus import bundled_files, load_corpus, read_jsonl
from classifiers.gazetteer import default_gazetteer
from classifiers.text import strip_related

HELDOUT = Path(str(resources.files("classifiers.data").joinpath("heldout")))


def test_corpus_groups_are_canonical_and_match_the_labels():
    names = set(default_gazetteer().groups)
    for e in load_corpus():
        assert set(e.groups) <= names, (e.source, e.id, e.groups)
        assert bool(e.groups) == ("armed_group" in e.labels), (e.source, e.id)


@pytest.mark.parametrize("name", ["class2_ambiguous_alias.jsonl", "class3_passing_mention.jsonl"])
def test_heldout_class_files_are_never_trained_on(name: str):
    heldout = read_jsonl(HELDOUT / name)
    assert len(heldout) >= 40
    assert any(e.labels for e in heldout) and any(not e.labels for e in heldout)
    assert HELDOUT / name not in bundled_files()
    trained = {e.title.casefold() for e in load_corpus()}
    assert not [e.title for e in heldout if e.title.casefold() in trained]
    names = set(default_gazetteer().groups)
    assert all(set(e.groups) <= names for e in heldout)


def test_plain_text_related_headlines_are_cut_before_classification():
    text = ("Council approves tram line\nThe vote passed narrowly. Related: Hamas says truce "
            "stalled; Taliban close schools\nWork starts in May.")
    assert strip_related(text) == (
        "Council approves tram line\nThe vote passed narrowly.\nWork starts in May.")
    assert strip_related("Read more: a title that starts so") == (
        "Read more: a title that starts so")
    assert strip_related("He said: the raid failed") == "He said: the raid failed"
