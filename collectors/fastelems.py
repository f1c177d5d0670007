# Derived from feedparser's handlers (BSD-2-Clause): see collectors/FEEDPARSER-LICENSE.
"""Element handlers of the fast path, one per feedparser handler it models, and the tree walk.

Each ``_start_x``/``_end_x`` pair does to :class:`collectors.fastrules.State` what feedparser's
handler of element ``x`` does to its parser (see the module docstring there)."""

from __future__ import annotations

from feedparser.datetimes import _parse_date

from collectors.fastrules import (
    END,
    HTML_TYPES,
    START,
    XHTML,
    Attrs,
    Fallback,
    State,
    content_type,
    on,
    pushes,
)

_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}


pushes("generator", 1, "generator")
pushes("width", 0, "width")
pushes("height", 0, "height")
pushes("newlocation", 1, "newlocation")
pushes("expired", 1, "expirationdate")
pushes("rating", 1, "media_rating")
pushes("credit", 1, "media_credit")
pushes("restriction", 1, "media_restriction")
pushes("license", 1, "media_license")
pushes("media_player", 0, "media_player")
pushes("url", 1, "media_thumbnail")
pushes("validity", 1, "dcterms_valid")
pushes("geometry", 0, "georss_point", "georss_line", "georss_polygon", "georss_box")


@on("psc_chapters", "psc_chapter")
def _start_chapters(s: State, attrs: Attrs) -> None:
    """Podcast chapters: feedparser keeps them beside the entry, pushing nothing."""


@on("psc_chapters", end=True)
def _end_chapters(s: State) -> None:
    pass


@on("media_group", "media_content", "cloud")
def _start_silent(s: State, attrs: Attrs) -> None:
    """No push: text inside goes to the enclosing element, as in feedparser."""


for _key in ("itunes_block", "itunes_explicit"):  # popped unstripped; no start handler
    END[_key] = lambda s, k=_key: s.pop(k, strip=False)


@on("rss")
def _start_rss(s: State, attrs: Attrs) -> None:
    if not s.version or not s.version.startswith("rss"):
        given = attrs.get("version", "")
        s.version = _RSS_VERSIONS.get(given) or ("rss20" if given.startswith("2.") else "rss")


@on("channel")
def _start_channel(s: State, attrs: Attrs) -> None:
    s.infeed = 1
    if "lastmod" in attrs or "href" in attrs:
        raise Fallback("CDF attributes on the channel")


@on("feed")
def _start_feed(s: State, attrs: Attrs) -> None:
    s.infeed = 1
    if not s.version:
        given = attrs.get("version")
        s.version = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}.get(given, "atom")


@on("channel", "feed", end=True)
def _end_channel(s: State) -> None:
    s.infeed = 0


@on("item", "entry")
def _start_item(s: State, attrs: Attrs) -> None:
    if s.insource or s.inimage or s.intextinput:
        raise Fallback("entry inside an image, text input or source")
    s.entries.append({})
    s.depths.append({})
    s.push("item", 0)
    s.inentry = 1
    s.guidislink = False
    s.title_depth = -1
    if attrs.get("rdf:about"):
        s.context()["id"] = attrs["rdf:about"]
    if "lastmod" in attrs or "href" in attrs:
        raise Fallback("CDF attributes on an entry")


@on("item", "entry", end=True)
def _end_item(s: State) -> None:
    s.pop("item")
    s.inentry = 0
    s.has_content = 0


@on("image")
def _start_image(s: State, attrs: Attrs) -> None:
    ctx = s.context()
    if not s.inentry:
        ctx.setdefault("image", {})
    s.inimage = 1
    s.title_depth = -1
    s.push("image", 0)


@on("image", end=True)
def _end_image(s: State) -> None:
    s.pop("image")
    s.inimage = 0


@on("textinput")
def _start_textinput(s: State, attrs: Attrs) -> None:
    s.context().setdefault("textinput", {})
    s.intextinput = 1
    s.title_depth = -1
    s.push("textinput", 0)


@on("textinput", end=True)
def _end_textinput(s: State) -> None:
    s.pop("textinput")
    s.intextinput = 0


@on("source")
def _start_source(s: State, attrs: Attrs) -> None:
    if "url" in attrs:
        s.source["href"] = attrs["url"]
    s.push("source", 1)
    s.insource = 1
    s.title_depth = -1


@on("source", end=True)
def _end_source(s: State) -> None:
    s.insource = 0
    value = s.pop("source")
    if value:
        s.source["title"] = value
    s.context()["source"] = dict(s.source)
    s.source = {}


def _expecting(s: State) -> int:
    return s.infeed or s.inentry or s.insource


@on("title", "dc_title", "media_title")
def _start_title(s: State, attrs: Attrs) -> None:
    s.push_content("title", attrs, "text/plain", _expecting(s))


@on("title", "dc_title", end=True)
def _end_title(s: State) -> None:
    if s.pop_content("title"):
        s.title_depth = s.depth


@on("media_title", end=True)
def _end_media_title(s: State) -> None:
    kept = s.title_depth
    _end_title(s)
    s.title_depth = kept


@on("description", "dc_description", "media_description")
def _start_description(s: State, attrs: Attrs) -> None:
    if "summary" in s.context() and not s.has_content:
        s.summary_key = "content"
        _start_content(s, attrs)
    else:
        s.push_content("description", attrs, "text/html", _expecting(s))


@on("abstract")
def _start_abstract(s: State, attrs: Attrs) -> None:
    s.push_content("description", attrs, "text/plain", _expecting(s))


@on("description", "dc_description", "media_description", "abstract", end=True)
def _end_description(s: State) -> None:
    if s.summary_key == "content":
        _end_content(s)
    else:
        s.pop_content("description")
    s.summary_key = None


@on("summary", "itunes_summary")
def _start_summary(s: State, attrs: Attrs) -> None:
    if "summary" in s.context() and not s.has_content:
        s.summary_key = "content"
        _start_content(s, attrs)
    else:
        s.summary_key = "summary"
        s.push_content("summary", attrs, "text/plain", 1)


@on("summary", "itunes_summary", end=True)
def _end_summary(s: State) -> None:
    if s.summary_key == "content":
        _end_content(s)
    else:
        s.pop_content(s.summary_key or "summary")
    s.summary_key = None


@on("content")
def _start_content(s: State, attrs: Attrs) -> None:
    s.has_content = 1
    s.push_content("content", attrs, "text/plain", 1)
    s.push("content", 1)  # feedparser pushes twice; the first stays on its stack


@on("content_encoded", "fullitem")
def _start_content_encoded(s: State, attrs: Attrs) -> None:
    s.has_content = 1
    s.push_content("content", attrs, "text/html", 1)


@on("content", "content_encoded", "fullitem", end=True)
def _end_content(s: State) -> None:
    copy = content_type(s.ctype) in ({"text/plain"} | HTML_TYPES)
    value = s.pop_content("content")
    if copy:
        s.save("summary", value)


@on("body", "xhtml_body")
def _start_body(s: State, attrs: Attrs) -> None:
    s.push_content("content", attrs, XHTML, 1)


END["body"] = END["xhtml_body"] = _end_content


def _text_only(name: str, *keys: str) -> None:
    for key in keys:
        START[key] = lambda s, a, n=name: s.push_content(n, a, "text/plain", 1)
        END[key] = lambda s, n=name: s.pop_content(n)


_text_only("subtitle", "subtitle", "tagline", "itunes_subtitle")
_text_only("rights", "rights", "copyright", "dc_rights")
_text_only("info", "info", "feedburner_browserfriendly")


def _enforce_href(attrs: Attrs) -> Attrs:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


@on("link")
def _start_link(s: State, attrs: Attrs) -> None:
    attrs.setdefault("rel", "alternate")
    attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
    ctx = s.context()
    attrs = _enforce_href(attrs)
    if "href" in attrs:
        attrs["href"] = s.resolve(attrs["href"])
    ctx.setdefault("links", [])
    if not (s.inentry and s.inimage):
        ctx["links"].append(dict(attrs))
    if "href" in attrs:
        if attrs.get("rel") == "alternate" and content_type(attrs.get("type", "")) in HTML_TYPES:
            ctx["link"] = attrs["href"]
    else:
        s.push("link", _expecting(s))


@on("enclosure")
def _start_enclosure(s: State, attrs: Attrs) -> None:
    attrs = _enforce_href(attrs)
    attrs["rel"] = "enclosure"
    s.context().setdefault("links", []).append(attrs)


@on("guid", "id")
def _start_guid(s: State, attrs: Attrs) -> None:
    s.guidislink = attrs.get("ispermalink", "true") == "true"
    s.push("id", 1)


@on("guid", "id", end=True)
def _end_guid(s: State) -> None:
    value = s.pop("id")
    s.save("guidislink", s.guidislink and "link" not in s.context())
    if s.guidislink:
        s.save("link", value)


def _date(name: str, *keys: str) -> None:
    def end(s: State, n: str = name) -> None:
        s.save(f"{n}_parsed", _parse_date(s.pop(n)), overwrite=True)

    for key in keys:
        START[key] = lambda s, a, n=name: s.push(n, 1)
        END[key] = end


_date("published", "published", "issued", "pubdate", "dcterms_issued")
_date("updated", "updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified")
_date("created", "created", "dcterms_created")
