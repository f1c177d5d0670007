"""``newswatch feeds`` (status), ``feeds import FILE.opml`` and ``record``, as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from feedhelp import FeedServer, Response, rss

from newswatch.config import load_config

OPML = """<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Subscriptions</title></head><body>
  <outline text="World">
    <outline type="rss" text="Lakeside Herald" title="Lakeside Herald"
             xmlUrl="https://lakeside-herald.example/rss"/>
    <outline type="rss" text="Already there" xmlUrl="https://wire.example/rss"/>
    <outline type="rss" text="Wire" xmlUrl="https://second-wire.example/feed"/>
  </outline>
  <outline text="No feed URL here"/>
</body></opml>
"""
CONFIG = """# my monitoring setup (comments must survive the import)
[service]
data_dir = "state"

[[feeds]]
id = "wire"
url = "https://wire.example/rss"  # keep me
"""


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", *args], capture_output=True,
                          text=True, timeout=300, cwd=cwd)


def test_opml_import_appends_feeds_and_keeps_the_file(tmp_path: Path) -> None:
    (tmp_path / "newswatch.toml").write_text(CONFIG)
    (tmp_path / "subs.opml").write_text(OPML)
    res = _cli("feeds", "import", "subs.opml", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "added 2 feeds" in res.stdout and "1 already configured" in res.stdout
    text = (tmp_path / "newswatch.toml").read_text()
    assert text.startswith(CONFIG)  # the user's file is untouched above the new tables
    config = load_config(tmp_path / "newswatch.toml", environ={})
    assert [(f.id, f.url) for f in config.feeds] == [
        ("wire", "https://wire.example/rss"),
        ("lakeside-herald", "https://lakeside-herald.example/rss"),
        ("wire-2", "https://second-wire.example/feed"),
    ]
    again = _cli("feeds", "import", "subs.opml", cwd=tmp_path)
    assert again.returncode == 0 and "nothing to add" in again.stdout
    assert (tmp_path / "newswatch.toml").read_text() == text


def test_opml_import_rejects_bad_files_by_name(tmp_path: Path) -> None:
    (tmp_path / "newswatch.toml").write_text(CONFIG)
    (tmp_path / "bad.opml").write_text("<opml><body><outline></body>")
    res = _cli("feeds", "import", "bad.opml", cwd=tmp_path)
    assert res.returncode == 2 and "bad.opml" in res.stderr
    bomb = '<!DOCTYPE opml [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><opml/>'
    (tmp_path / "bomb.opml").write_text(bomb)
    res = _cli("feeds", "import", "bomb.opml", cwd=tmp_path)
    assert res.returncode == 2 and "entity expansion" in res.stderr
    assert (tmp_path / "newswatch.toml").read_text() == CONFIG


def test_record_then_feeds_status_then_replay(feed_server: FeedServer, tmp_path: Path) -> None:
    body = rss("Live", [("l-1", "https://live.test/1", "Armed group crossed the border at dawn")])
    feed_server.route("/live.xml", lambda req: Response(200, body, {"ETag": '"e1"'}))
    feed_server.route("/dead.xml", lambda req: Response(500, b"down"))
    (tmp_path / "newswatch.toml").write_text(
        '[service]\ndata_dir = "state"\n[classifier]\nkind = "keywords"\n'
        f'[[feeds]]\nid = "live"\nurl = "{feed_server.url("/live.xml")}"\n'
        f'[[feeds]]\nid = "dead"\nurl = "{feed_server.url("/dead.xml")}"\n'
    )
    res = _cli("record", "--out", "rec", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "1 of 2 feeds saved" in res.stderr and "feed 'dead'" in res.stderr
    saved = sorted((tmp_path / "rec" / "live").iterdir())
    assert [p.suffix for p in saved] == [".xml", ".json"] and saved[0].read_bytes() == body
    replay = _cli("replay", "rec", "--articles-out", "-", cwd=tmp_path)
    assert replay.returncode == 0, replay.stderr
    assert '"feed_id": "live"' in replay.stdout and "1 articles" in replay.stderr

    # feed status as the service leaves it: poll once with the collect stage
    poll = subprocess.run([sys.executable, "-c", (
        "from newswatch.config import load_config; from newswatch import app; "
        "import collectors.stage as s; c = load_config('newswatch.toml'); b = app.make_bus(c); "
        "st = s.build_stage(c, b); st.drain(); st.close(); b.close()")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert poll.returncode == 0, poll.stderr
    status = _cli("feeds", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    lines = {ln.split()[0]: ln for ln in status.stdout.splitlines()[1:]}
    assert " ok " in lines["live"] and "HTTP 500" in lines["dead"]
    assert "failing since" in lines["dead"] and "(1x)" in lines["dead"]
    as_json = _cli("feeds", "--json", cwd=tmp_path)
    assert '"status": "failing"' in as_json.stdout and '"articles": 1' in as_json.stdout
