"""HTML to clean text, title normalisation for dedupe keys, and language detection."""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from typing import Any

from collectors.htmlfast import driven_text, may_drop, simple_text
from collectors.htmlparse import parsed_text

_SPACE = re.compile(r"\s+")
_TAGGED = re.compile(r"</?[a-zA-Z][^>]*>")


def html_to_text(value: str | None, _depth: int = 0, drop_links: bool = True) -> str:
    """Visible text of an HTML fragment: tags, scripts and styles removed, entities unescaped,
    whitespace collapsed; lists of related links and "Related:" blocks dropped unless
    ``drop_links`` is False. Plain text passes through (entities still unescaped)."""
    if not value:
        return ""
    if "<" not in value:
        value = html.unescape(value)
        if not _TAGGED.search(value) or _depth > 2:
            return _SPACE.sub(" ", value).strip()
    text = driven_text(value) if drop_links and may_drop(value) else simple_text(value)
    if text is None:
        text = parsed_text(value, drop_links)
    if text is None:
        return _SPACE.sub(" ", html.unescape(re.sub(r"<[^>]*>", " ", value))).strip()
    # Text that was escaped twice by the publisher ("&amp;lt;b&amp;gt;") shows tags: strip again.
    if _depth < 3 and "<" in text and ">" in text and _TAGGED.search(text):
        return html_to_text(text, _depth + 1, drop_links)
    return _SPACE.sub(" ", text).strip()


_NON_WORD = re.compile(r"[^\w]+")


def normalise_title(value: str) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form of a title."""
    folded = unicodedata.normalize("NFKD", value.casefold())
    if not folded.isascii():  # (ASCII has no combining marks)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", folded).strip()


_identifier = None
_identifier_lock = threading.Lock()
# Cost grows with length (a third of the fast collect path at 300 characters). 300 characters
# agree with 600 on 3,878 of 3,882 real titles+summaries; 200 agree with 300 on 11,722 of 11,755
# (feeds corpus and news sample; the others cross the 0.8 confidence, so the feed's declared
# language decides); 160 would lose 273.
LANGUAGE_SAMPLE_CHARS = 200


def load_language_model() -> Any:
    """The py3langid identifier, loaded once (about 1.4 s): the collect stage calls this at start
    so the first new article does not wait for it."""
    global _identifier
    with _identifier_lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str, declared: str = "") -> str | None:
    """ISO 639-1 code of ``text`` (py3langid), else the feed's declared language, else None."""
    declared = (declared or "").strip().lower().replace("_", "-").split("-")[0][:3] or ""
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if sum(map(str.isalpha, sample)) < 20:
        return declared or None
    lang, prob = load_language_model().classify(sample)
    if prob >= 0.8 or not declared:
        return str(lang)
    return declared
