# Derived from feedparser's handlers (BSD-2-Clause): see collectors/FEEDPARSER-LICENSE.
"""Fast-path handlers for people (authors, contributors, publishers), tags and language: what
feedparser's handlers of the same elements do (see :mod:`collectors.fastrules`)."""

from __future__ import annotations

from collectors.fastrules import END, Attrs, State, on, sync_author

_ITUNES = "http://www.itunes.com/"
_MEDIA_SCHEME = "http://search.yahoo.com/mrss/category_schema"


@on("author", "managingeditor", "dc_author", "dc_creator", "itunes_author")
def _start_author(s: State, attrs: Attrs) -> None:
    s.inauthor = 1
    s.push("author", 1)
    s.context().setdefault("authors", []).append({})


@on("author", "managingeditor", "dc_author", "dc_creator", "itunes_author", end=True)
def _end_author(s: State) -> None:
    s.pop("author")
    s.inauthor = 0
    sync_author(s.context())


def _save_author(s: State, key: str, value: str | None, prefix: str = "author") -> None:
    ctx = s.context()
    ctx.setdefault(f"{prefix}_detail", {})[key] = value
    sync_author(ctx)
    ctx.setdefault("authors", [{}])[-1][key] = value


def _save_contributor(s: State, key: str, value: str | None) -> None:
    s.context().setdefault("contributors", [{}])[-1][key] = value


@on("name", "itunes_name")
def _start_name(s: State, attrs: Attrs) -> None:
    s.push("name", 0)


@on("name", "itunes_name", end=True)
def _end_name(s: State) -> None:
    value = s.pop("name")
    if s.inpublisher:
        _save_author(s, "name", value, "publisher")
    elif s.inauthor:
        _save_author(s, "name", value)
    elif s.incontributor:
        _save_contributor(s, "name", value)
    elif s.intextinput:
        s.context()["name"] = value


@on("email", "itunes_email")
def _start_email(s: State, attrs: Attrs) -> None:
    s.push("email", 0)


@on("email", "itunes_email", end=True)
def _end_email(s: State) -> None:
    value = s.pop("email")
    if s.inpublisher:
        _save_author(s, "email", value, "publisher")
    elif s.inauthor:
        _save_author(s, "email", value)
    elif s.incontributor:
        _save_contributor(s, "email", value)


@on("url", "homepage", "uri")
def _start_url(s: State, attrs: Attrs) -> None:
    s.push("href", 1)


@on("url", "homepage", "uri", end=True)
def _end_url(s: State) -> None:
    value = s.pop("href")
    if s.inauthor:
        _save_author(s, "href", value)
    elif s.incontributor:
        _save_contributor(s, "href", value)


@on("contributor")
def _start_contributor(s: State, attrs: Attrs) -> None:
    s.incontributor = 1
    s.context().setdefault("contributors", []).append({})
    s.push("contributor", 0)


@on("contributor", end=True)
def _end_contributor(s: State) -> None:
    s.pop("contributor")
    s.incontributor = 0


@on("dc_contributor")
def _start_dc_contributor(s: State, attrs: Attrs) -> None:
    s.incontributor = 1
    s.context().setdefault("contributors", []).append({})
    s.push("name", 0)


@on("dc_contributor", end=True)
def _end_dc_contributor(s: State) -> None:
    _end_name(s)
    s.incontributor = 0


@on("webmaster", "dc_publisher")
def _start_webmaster(s: State, attrs: Attrs) -> None:
    s.push("publisher", 1)


@on("webmaster", "dc_publisher", end=True)
def _end_webmaster(s: State) -> None:
    s.pop("publisher")
    sync_author(s.context(), "publisher")


@on("itunes_owner")
def _start_itunes_owner(s: State, attrs: Attrs) -> None:
    s.inpublisher = 1
    s.push("publisher", 0)


@on("itunes_owner", end=True)
def _end_itunes_owner(s: State) -> None:
    s.pop("publisher")
    s.inpublisher = 0
    sync_author(s.context(), "publisher")


def add_tag(s: State, term: str | None, scheme: str | None, label: str | None) -> None:
    tags = s.context().setdefault("tags", [])
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)


@on("category", "keywords", "dc_subject")
def _start_category(s: State, attrs: Attrs) -> None:
    add_tag(s, attrs.get("term"), attrs.get("scheme", attrs.get("domain")), attrs.get("label"))
    s.push("category", 1)


@on("media_category")
def _start_media_category(s: State, attrs: Attrs) -> None:
    attrs.setdefault("scheme", _MEDIA_SCHEME)
    _start_category(s, attrs)


@on("itunes_category")
def _start_itunes_category(s: State, attrs: Attrs) -> None:
    add_tag(s, attrs.get("text"), _ITUNES, None)
    s.push("category", 1)


@on("category", "keywords", "dc_subject", "media_category", "itunes_category", end=True)
def _end_category(s: State) -> None:
    value = s.pop("category")
    if not value:
        return
    tags = s.context()["tags"]
    if tags and not tags[-1]["term"]:
        tags[-1]["term"] = value
    else:
        add_tag(s, value, None, None)


def _split_tags(key: str, scheme: str | None) -> None:
    def end(s: State) -> None:
        for term in s.pop(key).split(","):  # type: ignore[union-attr]  (None: AttributeError)
            if term.strip():
                add_tag(s, term.strip(), scheme, None)

    END[key] = end


_split_tags("itunes_keywords", _ITUNES)  # no start handler: pushed as an unknown element
_split_tags("media_keywords", None)


@on("tags")
def _start_tags(s: State, attrs: Attrs) -> None:
    s.push("tags", 1)


@on("tags", end=True)
def _end_tags(s: State) -> None:
    for term in s.pop("tags").split(","):  # type: ignore[union-attr]
        add_tag(s, term.strip(), None, None)


@on("language", "dc_language")
def _start_language(s: State, attrs: Attrs) -> None:
    s.push("language", 1)


@on("language", "dc_language", end=True)
def _end_language(s: State) -> None:
    s.lang = s.pop("language")


@on("itunes_image", "itunes_link")
def _start_itunes_image(s: State, attrs: Attrs) -> None:
    s.push("itunes_image", 0)
    href = attrs.get("href") or attrs.get("url")
    if href:
        s.context()["image"] = {"href": href}
