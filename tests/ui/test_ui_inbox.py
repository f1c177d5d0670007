"""The inbox, match, story and chart pages over a ledger filled by the real alert stage, served
by the real HTTP endpoint: filters, full-text search, cursor paging, stories with suppressed and
muted reports, and the mute honoured by the alert stage."""

from __future__ import annotations

import json
import re
from pathlib import Path

from ui_harness import (
    BELGOROD,
    KHARKIV,
    SHEBEKINO,
    csrf_of,
    make_match,
    open_test_bus,
    through_alert_stage,
    titles,
    ui_server,
    write_config,
)

RAID = [("cross_border_raid", 0.97), ("armed_group", 0.2)]
GROUP = [("cross_border_raid", 0.1), ("armed_group", 0.93)]


def _matches() -> list:
    return [
        make_match(1, "Saboteurs cross the frontier near Shebekino at dawn", labels=RAID,
                   places=(SHEBEKINO,), summary="Guards found cut wire near the customs post."),
        make_match(2, "Legion claims raid on a fuel depot in Belgorod Oblast", watch="groups",
                   labels=GROUP, groups=("Freedom of Russia Legion",), places=(BELGOROD,),
                   severity="high"),
        make_match(3, "Shelling reported across the border in Kharkiv Oblast", labels=RAID,
                   places=(KHARKIV,), feed="courier"),
        make_match(4, "Naval drill off the coast ends without incident", watch="inbox-only"),
        make_match(5, "Défense locale: incursion repoussée près de la frontière", labels=RAID,
                   summary="Les gardes-frontières ont repoussé un groupe armé."),
    ]


def test_inbox_lists_filters_and_searches(tmp_path: Path) -> None:
    _, config = write_config(tmp_path)
    legion = _matches()[1]
    also_raid = make_match(2, legion.article.title, watch="raids", labels=GROUP,
                           groups=legion.groups, places=legion.places, severity="high")
    with open_test_bus(config) as bus:
        through_alert_stage(config, bus, [*_matches(), also_raid])
    with ui_server(config) as ui, ui.client() as http:
        page = http.get("/").text
        # One card per article, with every watch it matched; a delivery merged into one
        # message per article shows the state of the message that carried it.
        card = page.split(f'data-match="{legion.id}"', 1)[1].split("</article>", 1)[0]
        assert ">groups</a>, <a" in card and ">raids</a>" in card
        assert card.count('out <span class="state st-sent">sent</span>') == 2, card
        assert "merged into alert" in card
        shown = titles(page)
        assert len(shown) == 5 and shown[0].startswith("Défense locale")  # newest first
        assert "5 matches" in page
        assert "97%" in page and "Freedom of Russia Legion" in page  # labels as percentages
        assert "no route and no channels of watch inbox-only take it" in page  # inbox only
        assert "out <span class=\"state st-sent\">sent</span>" in page  # delivery per channel

        def shown_for(**params: str) -> set[str]:
            return set(titles(http.get("/", params=params).text))

        assert shown_for(watch="groups") == {_matches()[1].article.title}
        assert len(shown_for(label="cross_border_raid")) == 3
        assert shown_for(group="Freedom of Russia Legion") == {_matches()[1].article.title}
        # A place filter takes the places inside it: RU holds Shebekino and Belgorod Oblast.
        assert shown_for(place="RU") == {_matches()[0].article.title, _matches()[1].article.title}
        assert shown_for(place="RU-BEL") == shown_for(place="RU")
        assert shown_for(place="Shebekino") == {_matches()[0].article.title}
        assert shown_for(feed="courier") == {_matches()[2].article.title}
        assert shown_for(severity="high") == {_matches()[1].article.title}
        assert len(shown_for(severity="normal")) == 4
        assert shown_for(label="cross_border_raid", place="UA") == {_matches()[2].article.title}
        # Full-text search over titles and summaries: accents folded, last word as a prefix.
        assert shown_for(q="defense locale") == {_matches()[4].article.title}
        assert shown_for(q="cut wire") == {_matches()[0].article.title}
        assert shown_for(q="fuel dep") == {_matches()[1].article.title}
        assert shown_for(q="legion", watch="raids") == {legion.article.title}
        assert shown_for(q="legion", watch="inbox-only") == set()
        assert "No matches for these filters" in http.get("/", params={"q": "zzzz"}).text
        # Filter choices show the groups and places seen, with counts.
        assert "Belgorod Oblast (2)" in page and "Freedom of Russia Legion (1)" in page
        # A containing country no match named itself takes its ISO 3166 name, not its code.
        assert "Russia (2)" in page and "Ukraine (1)" in page


def test_paging_by_cursor_covers_every_match_once(tmp_path: Path) -> None:
    _, config = write_config(tmp_path, ui="page_size = 20")
    matches = [make_match(n, labels=RAID) for n in range(1, 66)]
    with open_test_bus(config) as bus:
        through_alert_stage(config, bus, matches)
    seen: list[str] = []
    with ui_server(config) as ui, ui.client() as http:
        url = "/?label=cross_border_raid"
        pages = 0
        while url:
            html = http.get(url).text
            seen += titles(html)
            pages += 1
            url = _link(html, "next") if 'rel="next"' in html else ""
        assert pages == 4 and "65 matches" in html
        assert len(seen) == len(set(seen)) == 65
        # "newer" from the second page leads back to the first page.
        first_html = http.get("/").text
        older = _link(first_html, "next")
        newer = _link(http.get(older).text, "prev")
        assert titles(http.get(newer).text) == titles(first_html)


def _link(html: str, rel: str) -> str:
    """The pager's link: rel "next" (older) or "prev" (newer)."""
    pager = html.split('<nav class="pager">', 1)[1]
    return re.search(rf'href="([^"]+)" rel="{rel}"', pager).group(1).replace("&amp;", "&")


def test_story_shows_every_report_and_mute_holds_later_ones(tmp_path: Path) -> None:
    _, config = write_config(tmp_path)
    first = make_match(1, "Raiders cross the river border near Tavor and burn a depot",
                       labels=RAID, feed="wire")
    second = make_match(2, "Raiders cross the river border near Tavor, burn fuel depot",
                        labels=RAID, feed="courier")
    with open_test_bus(config) as bus:
        through_alert_stage(config, bus, [first, second])
        with ui_server(config) as ui, ui.client() as http:
            page = http.get(f"/match/{first.id}").text
            story = page.split('href="/story/', 1)[1].split('"', 1)[0]
            html = http.get(f"/story/{story}").text
            assert "2 reports from Courier Service, Wire Service" in html
            assert set(titles(html)) == {first.article.title, second.article.title}
            assert "sent as a follow-up" in html or "grouped into" in html
            # Mute from the page (CSRF token from the page), then a third report arrives.
            token = csrf_of(page)
            r = http.post(f"/match/{first.id}/feedback",
                          data={"csrf": token, "action": "mute", "next": f"/story/{story}"})
            assert r.status_code == 303
            html = http.get(f"/story/{story}").text
            assert "This story is muted" in html
            third = make_match(3, "Raiders cross the river border near Tavor again, depot burns",
                               labels=RAID, feed="herald")
            delivered = (tmp_path / "data" / "alerts.jsonl").read_text().count("\n")
            through_alert_stage(config, bus, [third])
            html = http.get(f"/story/{story}").text
            assert third.article.title in html  # never out of sight
            assert 'st-muted">muted</span>' in html and f"story {story} muted until" in html
            assert (tmp_path / "data" / "alerts.jsonl").read_text().count("\n") == delivered
            # Unmute: the next report is alerted again.
            http.post(f"/story/{story}/unmute", data={"csrf": csrf_of(html)})
            fourth = make_match(4, "Raiders cross the river border near Tavor, fourth night",
                                labels=RAID, feed="post")
            through_alert_stage(config, bus, [fourth])
            lines = (tmp_path / "data" / "alerts.jsonl").read_text().splitlines()
            assert len(lines) == delivered + 1
            assert json.loads(lines[-1])["alert"]["matches"][0]["id"] == fourth.id


def test_charts_draw_series_and_places(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from ui_harness import BASE_DAY

    _, config = write_config(tmp_path)
    today = (datetime.now(UTC) - BASE_DAY).days
    matches = [make_match(n, labels=RAID, places=(SHEBEKINO,), day=today - (n % 3))
               for n in range(1, 8)]
    matches.append(make_match(9, "Legion statement", watch="groups", labels=GROUP, day=today))
    with open_test_bus(config) as bus:
        through_alert_stage(config, bus, matches)
    with ui_server(config) as ui, ui.client() as http:
        html = http.get("/charts", params={"weeks": "2"}).text
        assert html.count("<polyline") >= 3  # raids and groups per watch, labels per label
        assert "raids (7)" in html and "groups (1)" in html
        assert "cross_border_raid (7)" in html and "armed_group (1)" in html
        assert ">Shebekino</text>" in html and ">7</text>" in html  # the places bar chart
        assert "<script" not in html.split("</head>", 1)[1]  # drawn on the server, no script


def test_deliveries_show_dead_letters_and_retry_them(tmp_path: Path) -> None:
    from nw_waits import free_port

    hook = f"""
[[channels]]
name = "hook"
url = "http://127.0.0.1:{free_port()}/closed"
secret = "k-5f1e"
max_attempts = 1
"""
    path, config = write_config(tmp_path, extra=hook)
    path.write_text(path.read_text().replace('channels = ["out"]', 'channels = ["out", "hook"]',
                                             1))
    from newswatch.config import load_config

    config = load_config(path, environ={})
    m = make_match(1, "Raid on a border post at night", labels=RAID)
    with open_test_bus(config) as bus:
        through_alert_stage(config, bus, [m])
    with ui_server(config) as ui, ui.client() as http:
        page = http.get("/deliveries").text
        assert "http://127.0.0.1:" in page  # the channel, by its masked URL
        dead = page.split('id="dead"', 1)[1]
        assert "<td>hook</td>" in dead and "ConnectError" in dead  # the last error, shown
        card = http.get("/").text
        assert 'hook <span class="state st-dead">dead</span>' in card
        r = http.post("/deliveries/retry", data={"csrf": csrf_of(page), "channel": "hook"})
        assert "Re-queued 1 dead delivery" in http.get(r.headers["location"]).text
        assert 'hook <span class="state st-pending">pending</span>' in http.get("/").text
        assert ui.ctx.ledger.dead_letters() == []
