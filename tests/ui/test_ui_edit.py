"""Editing from the UI: feeds (add, remove, OPML import and export) and watches (edit, create,
delete, "test this watch" over the last articles), written back with the file's comments, only
when the result validates, and handed to hot reload."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from ui_harness import csrf_of, open_test_bus, publish_articles, ui_server, write_config

from newswatch.config import load_config
from newswatch.models import Article, stable_id

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>desk</title></head><body>
<outline text="Borders"><outline text="Frontier Daily" xmlUrl="https://frontier.example/rss"/>
<outline text="The wire again" xmlUrl="https://wire.example/rss"/></outline>
</body></opml>"""


def _post(http, target: str, **data):  # noqa: ANN001, ANN202
    """POST a feeds form with the CSRF token of the feeds page."""
    return http.post(target, data={"csrf": csrf_of(http.get("/feeds").text), **data})


def test_feeds_add_remove_import_export_keep_comments(tmp_path: Path) -> None:
    path, config = write_config(tmp_path)
    with ui_server(config, config_path=path) as ui, ui.client() as http:
        page = http.get("/feeds").text
        assert "wire" in page and "never polled" in page
        r = _post(http, "/feeds/add", url="https://border.example/feed.xml", id="",
                  title="Border Post", interval_secs="120")
        assert r.status_code == 303 and ui.reloads.is_set()
        text = path.read_text()
        assert 'id = "border-example-feed-xml"' in text and "interval_secs = 120" in text
        assert "# the wire" in text and "# keep this comment" in text
        assert "Border Post" in http.get("/feeds").text  # the reloaded config
        # An invalid feed is refused and the file stays as it was.
        before = path.read_text()
        r = _post(http, "/feeds/add", url="ftp://nope.example/", id="bad")
        assert "Not saved" in http.get(r.headers["location"]).text
        assert path.read_text() == before
        # Import an OPML file: one new feed, one known already.
        token = csrf_of(http.get("/feeds").text)
        r = http.post("/feeds/import", data={"csrf": token},
                      files={"opml": ("desk.opml", OPML, "text/x-opml")})
        page = http.get(r.headers["location"]).text
        assert "1 feed(s) imported (1 already configured)" in page
        assert 'url = "https://frontier.example/rss"' in path.read_text()
        # Export: every configured feed as an outline.
        opml = http.get("/feeds/export.opml")
        assert opml.headers["content-type"].startswith("text/x-opml")
        urls = re.findall(r'xmlUrl="([^"]+)"', opml.text)
        assert urls == [f.url for f in load_config(path, environ={}).feeds]
        # Remove.
        _post(http, "/feeds/border-example-feed-xml/remove")
        text = path.read_text()
        assert "border.example" not in text and "# the wire" in text
        load_config(path, environ={})  # still valid


def _form(page: str) -> dict[str, str | list[str]]:
    """The watch form's current values, as a browser would submit them."""
    data: dict[str, str | list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page):
        data[name] = value
    for name, value in re.findall(r'name="(\w+)" type="number"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<textarea name="(\w+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = body
    for name, value in re.findall(r'name="(\w+)" value="([^"]+)" checked', page):
        data.setdefault(name, [])
        data[name].append(value)  # type: ignore[union-attr]
    for name, body in re.findall(r'<select name="(\w+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option(?: value="([^"]+)")? selected>([^<]*)<', body)
        data[name] = (chosen.group(1) or chosen.group(2)) if chosen else ""
    return data


def test_edit_watch_writes_back_with_comments_and_validates(tmp_path: Path) -> None:
    path, _ = write_config(tmp_path)
    path.write_text(path.read_text().replace('kind = "keywords"', 'kind = "model"'))
    config = load_config(path, environ={})
    with ui_server(config, config_path=path) as ui, ui.client() as http:
        page = http.get("/watches/raids").text
        data = _form(page)
        assert data["kw_any"] == "raid\nincursion" and data["severity"] == "high"
        data.update(kw_any="raid\nincursion\nsabotage", label_cross_border_raid="0.6")
        r = http.post("/watches/raids", data=data)
        assert r.status_code == 303 and ui.reloads.is_set(), r.text
        text = path.read_text()
        assert 'any = ["raid", "incursion", "sabotage"]' in text
        assert "labels = { cross_border_raid = 0.6 }" in text
        assert "# cross-border raids" in text and "# UI test config" in text
        watch = load_config(path, environ={}).watches[0]
        assert watch.keywords.any == ["raid", "incursion", "sabotage"]
        # An unknown group is refused with the classify stage's message; the file is unchanged.
        before = path.read_text()
        page = http.get("/watches/raids").text
        bad = {**_form(page), "groups": "Legion of Nowhere"}
        r = http.post("/watches/raids", data=bad)
        assert r.status_code == 400 and "unknown group" in r.text
        assert path.read_text() == before
        # A form opened before someone else changed the file is refused, not merged.
        stale = _form(http.get("/watches/raids").text)
        path.write_text(path.read_text().replace("# keep this comment", "# edited by hand"))
        r = http.post("/watches/raids", data={**stale, "kw_none": "customs"})
        assert r.status_code == 400 and "changed since this page was opened" in r.text
        # Create and delete a watch.
        page = http.get("/watches/_new").text
        new = {**_form(page), "name": "sabotage", "kw_any": "sabotage", "channels": ["out"]}
        assert http.post("/watches/_new", data=new).status_code == 303
        assert [w.name for w in load_config(path, environ={}).watches][-1] == "sabotage"
        page = http.get("/watches/sabotage").text
        r = http.post("/watches/sabotage/delete", data={"csrf": csrf_of(page)})
        assert r.status_code == 303
        assert "sabotage" not in [w.name for w in load_config(path, environ={}).watches]
        assert "# edited by hand" in path.read_text()


def test_test_this_watch_over_recent_articles(tmp_path: Path) -> None:
    path, config = write_config(tmp_path)
    articles = [
        Article(id=stable_id("t", str(n)), feed_id="wire", url=f"https://wire.example/{n}",
                title=title, published=datetime(2031, 3, 4, 8, n, tzinfo=UTC))
        for n, title in enumerate([
            "Saboteurs blow up a rail bridge near the frontier",
            "Harvest festival draws crowds",
            "Night raid on a border post repelled",
            "Sabotage suspected in depot fire",
        ])
    ]
    with open_test_bus(config) as bus:
        publish_articles(bus, config, articles)
        with ui_server(config, config_path=path, bus=bus) as ui, ui.client() as http:
            for _ in range(50):  # the recent-articles buffer fills in the background
                if len(ui.ctx.recent) == 4:
                    break
                import time

                time.sleep(0.1)
            page = http.get("/watches/raids").text
            data = {**_form(page), "kw_any": "sabotage\nsaboteurs", "n": "100"}
            r = http.post("/watches/_test", data=data)
            assert r.status_code == 200
            assert "Over the last 4 articles" in r.text
            assert "would match <b>2</b>; the saved definition matches 1" in r.text
            hits = re.findall(r'rel="noopener noreferrer">([^<]+)</a>', r.text)
            assert set(hits) == {articles[0].title, articles[3].title}
            assert "new with this edit" in r.text and "keyword &#39;sabotage&#39;" in r.text
            assert "none of the keywords: 2" in r.text
            assert path.read_text().count("sabotage") == 0  # a test never saves
