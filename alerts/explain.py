"""Why an article matched, in plain words a reader can check against the text.

Built from the match's labels (scores shown as percentages), the terms the classifier gave in
its reasons (stop words of the article's language and English dropped, the model's cue features
such as "[border words and a group]" left out), named groups, places, and watch keywords.
Stop-word lists come from the ``stop-words`` package (BSD-3-Clause, 33 languages).
"""

from __future__ import annotations

import re
from functools import lru_cache

from newswatch.models import Match

_TERMS = re.compile(r"^(?P<label>[a-z_]+) (?P<score>[01]\.\d+): (?P<terms>.*)$")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_GROUP = re.compile(r"^group (?P<group>.+?) \(as (?P<aliases>.+)\)$")
_CANDIDATE = re.compile(r"^candidate group (?P<name>.+) \(not in gazetteer\)$")
_KEYWORD = re.compile(r"^(?:keyword|all-of) (?P<word>.+)$")
_REGEX = re.compile(r"^regex (?P<rx>.+)$")
_SKIP = re.compile(r"^(?:label \S+ [\d.]+ >= [\d.]+|watched group .+)$")
_CUE = re.compile(r"\s*\[[^\]]*\]")


@lru_cache(maxsize=64)
def stop_words(language: str) -> frozenset[str]:
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    out = set(get_stop_words("en"))
    if language in LANGUAGE_MAPPING:
        out |= set(get_stop_words(language))
    return frozenset(out)


def _language(match: Match) -> str:
    lang = (match.article.language or "").split("-")[0].lower()
    if lang:
        return lang
    import py3langid

    return py3langid.classify(match.article.title + " " + match.article.summary[:300])[0]


def label_name(label: str) -> str:
    return label.replace("_", " ").replace("cross border", "cross-border")


def percent(score: float) -> str:
    return f"{round(score * 100)}%"


def _quoted(text: str) -> list[str]:
    return [a or b for a, b in _QUOTED.findall(text)]


def terms_by_label(match: Match) -> dict[str, list[str]]:
    """The classifier's top terms per label, without stop words or cue features."""
    stops = stop_words(_language(match))
    out: dict[str, list[str]] = {}
    for reason in match.reasons:
        found = _TERMS.match(reason)
        if not found:
            continue
        terms = []
        for term in _quoted(found["terms"]):
            words = term.split()
            while words and words[0].lower() in stops:  # "of fighters" -> "fighters"
                words.pop(0)
            while words and words[-1].lower() in stops:  # "cross into" -> "cross"
                words.pop()
            if words and not term.startswith("["):
                terms.append(" ".join(words))
        out[found["label"]] = list(dict.fromkeys(terms))[:5]
    return out


def why(match: Match) -> list[str]:
    """Plain sentences: what the model saw (with percentages and words), whom, which words."""
    lines = []
    terms = terms_by_label(match)
    for ls in sorted(match.labels, key=lambda x: -x.score):
        if ls.score < 0.5:
            continue
        line = f"reads as {label_name(ls.label)} ({percent(ls.score)})"
        if terms.get(ls.label):
            line += ": " + ", ".join(terms[ls.label])
        lines.append(line)
    for reason in match.reasons:
        if _TERMS.match(reason) or _SKIP.match(reason):
            continue
        if found := _GROUP.match(reason):
            aliases = [a for a in _quoted(found["aliases"]) if a != found["group"]]
            shown = f" (as {', '.join(aliases)})" if aliases else ""
            lines.append(f"names {found['group']}{shown}")
        elif found := _CANDIDATE.match(reason):
            names = _quoted(found["name"]) or [found["name"]]
            lines.append(f"names {names[0]}, which looks like an armed group not yet known")
        elif found := _KEYWORD.match(reason):
            words = _quoted(found["word"]) or [found["word"]]
            lines.append(f"mentions {words[0]}")
        elif found := _REGEX.match(reason):
            lines.append(f"matches the pattern {found['rx']}")
        else:
            lines.append(" ".join(_CUE.sub("", reason).split()))
    return [line for line in dict.fromkeys(lines) if line]


def short_summary(text: str, limit: int = 320) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"
