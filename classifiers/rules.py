"""Watch rules from config: labels with minimum scores, keywords/phrases, regexes, groups,
places, feeds and languages. Every condition a watch sets must hold; a watch that sets none never
matches. Keywords are case- and accent-folded and matched on word boundaries, with hyphens and
quotes treated as spaces ("cross-border" finds "cross border")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from classifiers.base import Evidence
from classifiers.text import fold, normalise
from newswatch.config.problems import Problem, unknown
from newswatch.config.watches import WatchConfig
from newswatch.models import Article, LabelScore, Match

__all__ = ["RuleWatch", "fold", "detect_language"]


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(normalise(term))}(?!\w)")


def detect_language(text: str) -> str:
    import py3langid

    return str(py3langid.classify(text)[0])


class RuleWatch:
    def __init__(self, config: WatchConfig, places: dict[str, tuple[str, ...]] | None = None):
        """``places``: each ``config.places`` entry -> the Place ids it names (resolved by
        :func:`build_watches` through the geography; an entry not given stands for itself)."""
        self.config = config
        self.name = config.name
        kw, rx = config.keywords, config.regexes
        self._any = [(t, _pattern(t)) for t in kw.any]
        self._all = [(t, _pattern(t)) for t in kw.all]
        self._none = [(t, _pattern(t)) for t in kw.none]
        self._rx_any = [(p, re.compile(p, re.IGNORECASE)) for p in rx.any]
        self._rx_none = [re.compile(p, re.IGNORECASE) for p in rx.none]
        self._groups = {fold(g): g for g in config.groups}
        self._feeds = set(config.feeds)
        self._places = {p: (places or {}).get(p, (p,)) for p in config.places}
        self._langs = {lang.lower() for lang in config.languages}
        self.active = bool(
            self._any
            or self._all
            or self._rx_any
            or config.labels
            or config.groups
            or config.candidates
            or config.places
        )

    def match(self, article: Article, evidence: Evidence) -> Match | None:
        return self.check(article, evidence)[0]

    def check(self, article: Article, evidence: Evidence) -> tuple[Match | None, str]:
        """The match, or None and the first condition that failed (for ``test-watch``)."""
        cfg = self.config
        if not self.active:
            return None, "the watch sets no condition"
        if self._feeds and article.feed_id not in self._feeds:
            return None, f"feed {article.feed_id!r} not in {sorted(self._feeds)}"
        if self._langs:
            lang = (article.language or detect_language(article.text)).split("-")[0].lower()
            if lang not in self._langs:
                return None, f"language {lang!r} not in {sorted(self._langs)}"
        reasons: list[str] = []
        score = 1.0
        if cfg.labels:
            got = {lb: evidence.labels.get(lb, 0.0) for lb in cfg.labels}
            ok = [lb for lb, s in got.items() if s >= cfg.labels[lb]]
            need_all = cfg.labels_mode == "all"
            if (need_all and len(ok) < len(got)) or not ok:
                shown = ", ".join(f"{lb} {s:.2f} (min {cfg.labels[lb]})" for lb, s in got.items())
                return None, f"labels below minimum: {shown}"
            score = min(got[lb] for lb in ok) if need_all else max(got[lb] for lb in ok)
            reasons.extend(f"label {lb} {got[lb]:.2f} >= {cfg.labels[lb]}" for lb in ok)
        if self._groups or cfg.candidates:
            hits = [g for g in evidence.groups if fold(g) in self._groups]
            if cfg.candidates and not self._groups:
                hits = list(evidence.groups) + list(evidence.candidates)
            if not hits:
                return None, f"no watched group named (found: {list(evidence.groups)})"
            reasons.extend(f"watched group {g}" for g in hits)
        if self._places:
            where = [p for p in evidence.places
                     if any(p.within(i) for ids in self._places.values() for i in ids)]
            if not where:
                found = [p.id for p in evidence.places]
                return None, f"no event in the watched places {list(self._places)} (found: {found})"
            reasons.append("where: " + ", ".join(p.name for p in where[:3]))
        if self._any or self._all or self._none:
            text = normalise(article.text)
            bad = [t for t, p in self._none if p.search(text)]
            if bad:
                return None, f"excluded keyword {bad[0]!r}"
            missing = [t for t, p in self._all if not p.search(text)]
            if missing:
                return None, f"required keyword {missing[0]!r} missing"
            hits = [t for t, p in self._any if p.search(text)]
            if self._any and not hits:
                return None, "none of the keywords"
            reasons.extend(
                [f"keyword {t!r}" for t in hits] + [f"all-of {t!r}" for t, _ in self._all]
            )
        if self._rx_any or self._rx_none:
            raw = article.text
            if any(p.search(raw) for p in self._rx_none):
                return None, "excluded regex matched"
            rx_hits = [s for s, p in self._rx_any if p.search(raw)]
            if self._rx_any and not rx_hits:
                return None, "no regex matched"
            reasons.extend(f"regex {s!r}" for s in rx_hits)
        match = Match(
            article=article,
            watch=self.name,
            score=round(float(score), 4),
            labels=tuple(LabelScore(k, v) for k, v in sorted(evidence.labels.items())),
            groups=evidence.groups,
            candidates=evidence.candidates,
            reasons=tuple(reasons) + evidence.reasons,
            severity=cfg.severity,
            model_version=evidence.model_version,
            places=evidence.places,
        )
        return match, ""



def watch_problems(
    configs: Sequence[WatchConfig],
    known_groups: Iterable[str] | None = None,
    known_labels: Iterable[str] | None = None,
    labels_unavailable: str = "",
) -> list[Problem]:
    """Unknown group or label names in watches, located at ``watches[i].groups[j]`` or
    ``watches[i].labels.<label>``, with the closest known name. ``None``: not checked;
    ``labels_unavailable``: why no label can be used at all (a keyword-only classifier)."""
    groups = {fold(g): g for g in known_groups or ()}
    labels = list(known_labels or ())
    problems = []
    for i, w in enumerate(configs):
        for j, g in enumerate(w.groups if known_groups is not None else ()):
            if fold(g) not in groups:
                problems.append(Problem(("watches", i, "groups", j),
                                        unknown("group", g, groups.values())))
        for lb in w.labels if known_labels is not None or labels_unavailable else ():
            if labels_unavailable or lb not in labels:
                why = labels_unavailable or unknown("label", lb, labels)
                problems.append(Problem(("watches", i, "labels", lb), why))
    return problems


def place_problems(configs: Sequence[WatchConfig]) -> list[Problem]:
    """Watch ``places`` entries the geography does not know, at ``watches[i].places[j]``, with
    the closest known place name."""
    problems = []
    for i, w in enumerate(configs):
        for j, entry, hint in resolve_places(w.places)[1]:
            problems.append(Problem(("watches", i, "places", j), f"unknown place {entry!r}{hint}"))
    return problems


def resolve_places(entries: Sequence[str]) -> tuple[dict[str, tuple[str, ...]], list]:
    """Watch ``places`` entries -> Place ids through the geography's aliases ("RU-BEL",
    "Belgorod region", "Белгородская область"), and the unknown ones as (index, entry,
    "did you mean" hint)."""
    if not entries:
        return {}, []
    import difflib

    from classifiers.geo.index import default_geography, key_of

    geo = default_geography()
    out, bad = {}, []
    for j, entry in enumerate(entries):
        found = geo.resolve(entry)
        if found:
            out[entry] = tuple(dict.fromkeys(p.id for p in found))
            continue
        near = difflib.get_close_matches(key_of(entry), geo.names(), n=1, cutoff=0.8)
        shown = [p.name for p in geo.resolve(near[0])][:1] if near else []
        bad.append((j, entry, f" (did you mean {shown[0]!r}?)" if shown else ""))
    return out, bad


def build_watches(
    configs: Iterable[WatchConfig],
    known_groups: Iterable[str] | None = None,
    known_labels: Iterable[str] | None = None,
) -> list[RuleWatch]:
    """RuleWatches for ``configs``; unknown group, label or place names are errors naming the
    watch."""
    configs = list(configs)
    problems = watch_problems(configs, known_groups, known_labels) + place_problems(configs)
    if problems:
        raise ValueError("; ".join(
            f"watch {configs[int(p.loc[1])].name!r}: {p.message}" for p in problems))
    return [RuleWatch(w, resolve_places(w.places)[0]) for w in configs]
