"""Replay reads what it is given: files without a (known) extension are sniffed by content, and
what is not a feed is skipped with its reason and counted in the summary."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

from feedhelp import FIXTURES, rss

from collectors.replay import feed_files
from collectors.sniff import skip_reason

ATOM = (b'<?xml version="1.0"?>\n<!-- saved by hand -->\n<feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>Hill post</title><entry><id>urn:h:1</id><title>Snow closes the pass</title>"
        b"</entry></feed>")
RDF = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
       b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="https://r.example/"><title>R'
       b'</title></channel><item rdf:about="https://r.example/1"><title>Lock gates repaired'
       b"</title></item></rdf:RDF>")
JSONFEED = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
    {"id": "1", "url": "https://j.example/1", "title": "Tram tests resume"}]}).encode()


def _tree(tmp: Path) -> Path:
    d = tmp / "corpus"
    (d / "nested").mkdir(parents=True)
    (d / "wire").write_bytes(rss("Wire", [("w1", "https://w.example/1", "Harbour reopens")]))
    (d / "hill").write_bytes(b"\xef\xbb\xbf  \n" + ATOM)  # BOM and blank lines before it
    (d / "nested" / "river.v2").write_bytes(RDF)  # an extension replay does not know
    (d / "tram").write_bytes(JSONFEED)
    (d / "packed").write_bytes(gzip.compress(rss("Packed", [("p1", "https://p.example/1",
                                                                "Night ferry resumes")])))
    (d / "page.html").write_bytes(b"<!DOCTYPE html><html><body><p>Hello</p></body></html>")
    (d / "wrapped").write_bytes(b"<html><body>" + ATOM.split(b"-->")[1] + b"</body></html>")
    (d / "LICENSE").write_text("Permission is hereby granted to anyone.\n")
    (d / "empty").write_bytes(b"")
    (d / "blob").write_bytes(bytes(range(256)) * 4)
    (d / "expected.out").write_text(json.dumps({"items": [{"title": "not a feed"}]}))
    (d / "config").write_bytes(b"<?xml version='1.0'?><settings><a>1</a></settings>")
    return d


def test_feed_files_sniff_extensionless_feeds_and_name_the_rest(tmp_path: Path) -> None:
    d = _tree(tmp_path)
    skipped: dict[str, str] = {}
    found = sorted(p.relative_to(d).as_posix() for p in feed_files([d], skipped))
    assert found == ["hill", "nested/river.v2", "packed", "tram", "wire", "wrapped"]
    reasons = {Path(p).name: r for p, r in skipped.items()}
    assert reasons == {
        "page.html": "not a feed (HTML page)",
        "LICENSE": "not a feed (no markup)",
        "empty": "empty",
        "blob": "not a feed (binary data)",
        "expected.out": "not a feed (JSON without a JSON Feed version)",
        "config": "not a feed (XML with root <settings>)",
    }


def test_a_named_file_is_always_read(tmp_path: Path) -> None:
    named = tmp_path / "notes"
    named.write_text("just notes")
    assert list(feed_files([named])) == [named]  # the parser then says why it is no feed
    assert skip_reason(named) == "not a feed (no markup)"


def _replay(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newswatch", "replay", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)


def test_replay_of_extensionless_copies_equals_the_original(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for path in FIXTURES.iterdir():  # the fixtures without extensions, sidecars renamed along
        if path.name.endswith(".headers.json"):
            continue
        stem = path.name.split(".")[0]
        shutil.copy(path, bare / stem)
        sidecar = path.with_name(path.name + ".headers.json")
        if sidecar.exists():
            shutil.copy(sidecar, bare / f"{stem}.headers.json")
    (bare / "README").write_text("These files are feeds without extensions.\n")
    (bare / "empty").write_bytes(b"")
    runs = {}
    for name, src in (("orig", FIXTURES), ("bare", bare)):
        res = _replay(str(src), "--articles-out", f"{name}.jsonl", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        runs[name] = res
    orig = [json.loads(x) for x in (tmp_path / "orig.jsonl").read_text().splitlines()]
    got = [json.loads(x) for x in (tmp_path / "bare.jsonl").read_text().splitlines()]
    strip = lambda rows: sorted((r["title"], r["url"], r["published"]) for r in rows)  # noqa: E731
    assert len(got) == len(orig) == 27 and strip(got) == strip(orig)
    summary = runs["bare"].stderr.splitlines()[-1]
    # README, not-a-feed.json, binary-junk and empty are named and counted
    assert "skipped 4 files: 3 not a feed, 1 empty" in summary
    assert "skipped" not in runs["orig"].stderr.splitlines()[-1]
    assert f"replay: skipped {bare / 'README'}: not a feed (no markup)" in runs["bare"].stderr
