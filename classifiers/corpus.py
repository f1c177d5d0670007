"""Labelled examples: the bundled corpus, our extra files and the user's feedback corpus.

One JSON object per line: ``{"id", "title", "summary", "labels": [...], "groups": [...],
"lang"}``. Bad lines are errors naming the file and line. ``template_key`` groups examples
written from one sentence frame so a held-out split does not leak near-duplicates.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from classifiers.base import LABELS


class CorpusError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    title: str
    summary: str = ""
    labels: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    lang: str = "en"
    source: str = ""  # file name the example came from
    weight: float = 1.0  # in training: the user's feedback weighs more than bundled examples
    feedback: bool = False  # from the user corpus (`newswatch label`): never held out

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.summary}" if self.summary else self.title


def read_jsonl(path: str | Path, labels: Sequence[str] = LABELS) -> list[Example]:
    path = Path(path)
    out: list[Example] = []
    known = set(labels)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read corpus: {exc.strerror}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
            title = doc["title"]
            if not isinstance(title, str) or not title.strip():
                raise ValueError("empty title")
            ex_labels = tuple(doc.get("labels", []))
            unknown = set(ex_labels) - known
            if unknown:
                raise ValueError(f"unknown labels {sorted(unknown)} (known: {sorted(known)})")
            out.append(
                Example(
                    id=str(doc.get("id") or f"{path.name}:{n}"), title=title,
                    summary=doc.get("summary") or "", labels=ex_labels,
                    groups=tuple(doc.get("groups", [])), lang=doc.get("lang") or "en",
                    source=path.name,
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise CorpusError(f"{path}:{n}: bad example: {exc}") from None
    return out


def bundled_files() -> list[Path]:
    root = Path(str(resources.files("classifiers.data").joinpath("corpus")))
    return sorted(root.glob("*.jsonl"))


def load_corpus(paths: Iterable[str | Path] | None = None) -> list[Example]:
    """Examples of ``paths`` (default: every bundled file), in a stable order."""
    files = bundled_files() if paths is None else [Path(p) for p in paths]
    examples: list[Example] = []
    for f in files:
        examples.extend(read_jsonl(f))
    return examples


def label_matrix(examples: Sequence[Example], labels: Sequence[str] = LABELS) -> np.ndarray:
    return np.array([[int(lb in e.labels) for lb in labels] for e in examples], dtype=int)


def corpus_hash(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        row = [e.title, e.summary, sorted(e.labels)] + ([e.weight] if e.weight != 1.0 else [])
        h.update(json.dumps(row, ensure_ascii=False).encode())
    return h.hexdigest()


_CAP = re.compile(r"^[A-Z\u0400-\u042F]")
_NUM = re.compile(r"\d")


def template_key(example: Example) -> str:
    """A sentence-frame signature: names and numbers blanked, first words of the title."""
    words = re.findall(r"[\w']+", example.title)
    skeleton: list[str] = []
    for i, w in enumerate(words):
        tok = "0" if _NUM.search(w) else ("X" if i and _CAP.match(w) else w.lower())
        if not (tok == "X" and skeleton and skeleton[-1] == "X"):
            skeleton.append(tok)
    return " ".join(skeleton[:4])
