"""HTML to clean text, title normalisation for dedupe keys, and language detection."""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")
_TAGGED = re.compile(r"</?[a-zA-Z][^>]*>")
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "object", "svg", "head"})
_BLOCK = frozenset(
    {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
     "blockquote", "section", "article", "figure", "figcaption", "pre", "hr", "table"}
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(value: str | None, _depth: int = 0) -> str:
    """Visible text of an HTML fragment: tags, scripts and styles removed, entities unescaped,
    whitespace collapsed. Plain text passes through (entities still unescaped)."""
    if not value:
        return ""
    if "<" not in value:
        value = html.unescape(value)
        if not _TAGGED.search(value) or _depth > 2:
            return _SPACE.sub(" ", value).strip()
    parser = _Text()
    try:
        parser.feed(value)
        parser.close()
    except Exception:  # HTMLParser is lenient; be safe on pathological input anyway
        return _SPACE.sub(" ", html.unescape(re.sub(r"<[^>]*>", " ", value))).strip()
    text = "".join(parser.parts)
    # Text that was escaped twice by the publisher ("&amp;lt;b&amp;gt;") shows tags: strip again.
    if _depth < 3 and "<" in text and ">" in text and _TAGGED.search(text):
        return html_to_text(text, _depth + 1)
    return _SPACE.sub(" ", text).strip()


_NON_WORD = re.compile(r"[^\w]+")


def normalise_title(value: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a title."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", folded).strip()


_identifier = None


def detect_language(text: str, declared: str = "") -> str | None:
    """ISO 639-1 code of ``text`` (py3langid), else the feed's declared language, else None."""
    declared = (declared or "").strip().lower().replace("_", "-").split("-")[0][:3] or ""
    sample = text[:600]  # plenty to tell languages apart; cost grows with length
    if sum(c.isalpha() for c in sample) < 20:
        return declared or None
    global _identifier
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    lang, prob = _identifier.classify(sample)
    if prob >= 0.8 or not declared:
        return str(lang)
    return declared
