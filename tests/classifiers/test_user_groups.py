"""The user's own groups: [[groups]] and a groups file merged with the bundled gazetteer,
validated at start, listed by `newswatch groups`, named by watches, reloaded while running."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from pathlib import Path

import pytest

from classifiers.stage import build_stage
from classifiers.usergroups import GroupsError, user_gazetteer
from newswatch import serde
from newswatch.bus import open_bus
from newswatch.cli import main
from newswatch.config import ConfigError, load_config, parse_config
from newswatch.models import Article, Match
from newswatch.service.reload import stages_to_rebuild
from newswatch.stage import ARTICLES, MATCHES

OWLS = """
[[groups]]
name = "Night Owls Brigade"
aliases = ["Night Owls", "NOB", "Нічні сови"]
ambiguous_aliases = ["Night Owls"]
leaders = ["Taras Sych"]
kind = "partisan"
home = "UA"
also_home = ["BY"]
"""


def cfg(tmp_path: Path, body: str = OWLS, model_dir: Path | None = None) -> Path:
    path = tmp_path / "nw.toml"
    model = f'model_path = "{model_dir}"\n' if model_dir else ""
    path.write_text(f'[service]\ndata_dir = "{tmp_path / "data"}"\nreload_check_secs = 0.1\n'
                    f"[classifier]\n{model}{body}", encoding="utf-8")
    return path


def test_user_groups_merge_with_bundled_ones(tmp_path: Path):
    body = OWLS + ('[[groups]]\nname = "wagner group"\naliases = ["Prigozhin\'s men"]\n'
                   'context = ["Nizhny Tagil"]\n')
    gaz = user_gazetteer(load_config(cfg(tmp_path, body)))
    assert gaz.resolve("NOB fighters raided a depot") == ["Night Owls Brigade"]
    assert gaz.resolve("Нічні сови заявили про атаку") == ["Night Owls Brigade"]
    # Ambiguous alias: only with context (here a leader's name).
    assert gaz.resolve("Night Owls sing at dusk") == []
    assert gaz.resolve("Taras Sych said the Night Owls were ready") == ["Night Owls Brigade"]
    # A bundled canonical name (case-folded) extends that group.
    assert gaz.resolve("Prigozhin's men left the base") == ["Wagner Group"]
    assert gaz.groups["Wagner Group"].source == "bundled+user"
    assert gaz.groups["Night Owls Brigade"].homes == ("UA", "BY")
    assert gaz.groups["Night Owls Brigade"].source == "user"


def test_colliding_and_duplicate_aliases_are_named(tmp_path: Path):
    body = OWLS + ('[[groups]]\nname = "Dawn Legion"\naliases = ["NOB", "RDK", "Dawn", "dawn"]\n')
    with pytest.raises(GroupsError) as err:
        user_gazetteer(load_config(cfg(tmp_path, body)))
    problems = err.value.problems
    assert "groups[1].aliases[0]: alias 'NOB' of 'Dawn Legion' is also an alias of " \
           "'Night Owls Brigade' (groups[0].aliases[1])" in problems
    assert "groups[1].aliases[1]: alias 'RDK' of 'Dawn Legion' already names the bundled " \
           "group 'Russian Volunteer Corps'" in problems
    assert "groups[1].aliases[3]: alias 'dawn' is listed twice for 'Dawn Legion'" in problems


def test_bad_group_config_is_rejected_with_line_and_key(tmp_path: Path):
    with pytest.raises(ConfigError) as err:
        parse_config('[[groups]]\nname = "X Front"\nalias = ["XF"]\n', "nw.toml")
    assert "nw.toml:3: groups[0].alias: unknown key" in str(err.value)
    with pytest.raises(ConfigError, match="not the name or one of the aliases"):
        parse_config('[[groups]]\nname = "X Front"\nambiguous_aliases = ["XF"]\n')
    with pytest.raises(ConfigError, match="duplicate name 'X Front'"):
        parse_config('[[groups]]\nname = "X Front"\n[[groups]]\nname = "X Front"\n')


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_groups_file_in_json_or_toml(tmp_path: Path, suffix: str):
    path = tmp_path / f"groups{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps([{"name": "Marsh Wolves", "aliases": ["MW Unit"]}]))
    else:
        path.write_text('[[groups]]\nname = "Marsh Wolves"\naliases = ["MW Unit"]\n')
    config = load_config(cfg(tmp_path, f'groups_file = "{path}"\n'))
    assert user_gazetteer(config).resolve("MW Unit gunmen attacked") == ["Marsh Wolves"]
    path.write_text('[{"name": "Marsh Wolves", "aliasses": []}]' if suffix == ".json"
                    else '[[groups]]\nname = ""\n')
    where = "entry 0: aliasses: unknown key" if suffix == ".json" else "groups[0]: name: "
    with pytest.raises(GroupsError, match=rf"groups{suffix}: {re.escape(where)}"):
        user_gazetteer(config)


def test_groups_command_lists_and_searches(tmp_path: Path, capsys):
    path = cfg(tmp_path)
    assert main(["groups", "owls", "-c", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Night Owls Brigade  [partisan] home: UA (also BY)  (user)")
    assert "aliases: ~Night Owls, NOB, Нічні сови" in out
    assert main(["groups", "RDK", "-c", str(path), "--json"]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["name"] == "Russian Volunteer Corps" and "RDK" in row["aliases"]
    assert set(row) >= {"aliases", "kind", "home", "also_home", "source"}
    assert main(["groups", "no such group at all", "-c", str(path)]) == 1


def test_check_config_names_collisions_with_their_line(tmp_path: Path, capsys):
    path = cfg(tmp_path, OWLS + '[[groups]]\nname = "Dawn Legion"\naliases = ["LSR"]\n')
    assert main(["check-config", str(path)]) == 1
    err = capsys.readouterr().err
    lines = path.read_text().splitlines()
    n = next(i for i, line in enumerate(lines, 1) if '"LSR"' in line)
    assert f"nw.toml:{n}: groups[1].aliases[0]: alias 'LSR'" in err
    assert "'Freedom of Russia Legion'" in err
    assert main(["check-config", str(cfg(tmp_path))]) == 0
    assert "1 yours" in capsys.readouterr().out


def test_groups_section_rebuilds_the_classify_stage():
    assert stages_to_rebuild({"groups"}, {"collect", "classify", "alert"}) == {"classify"}


def _article(i: int, text: str) -> Article:
    return Article(id=f"ug-{i}", feed_id="wire", url=f"https://w.example/ug/{i}", title=text)


def test_stage_names_user_groups_and_reloads_the_groups_file(
    tmp_path: Path, model_dir: Path, caplog
):
    groups = tmp_path / "groups.json"
    groups.write_text(json.dumps([{"name": "Marsh Wolves", "aliases": ["MW Unit"]}]))
    path = cfg(tmp_path, f'groups_file = "{groups}"\n[[watches]]\nname = "wolves"\n'
               'groups = ["Marsh Wolves"]\n', model_dir)
    config = load_config(path)
    with open_bus(config.bus_url()) as bus:
        topics = [config.bus.topic(ARTICLES), config.bus.topic(MATCHES)]
        bus.create_topics(topics)
        stage = build_stage(config, bus)
        reader = bus.consumer("ug-reader", [topics[1]])
        stop = threading.Event()
        thread = threading.Thread(target=stage.run, args=(stop,))
        thread.start()
        try:
            bus.publish(topics[0], "1", serde.dumps(_article(1, "MW Unit gunmen attack a post")))
            bus.flush()
            got = _matches(reader, 1)
            assert got[0].groups == ("Marsh Wolves",)
            # A new alias in the file applies between batches, without a restart.
            with caplog.at_level(logging.INFO, logger="newswatch.classify"):
                time.sleep(0.05)  # a new mtime even on coarse clocks
                groups.write_text(json.dumps(
                    [{"name": "Marsh Wolves", "aliases": ["MW Unit", "Vovky Bolit"]}]))
                _wait_for(caplog, "groups reloaded from")
                bus.publish(topics[0], "2", serde.dumps(_article(2, "Vovky Bolit raid a depot")))
                bus.flush()
                assert _matches(reader, 1)[0].article.id == "ug-2"
                # A broken edit is rejected with its reason; the previous groups stay.
                groups.write_text('[{"name": "Marsh Wolves", "aliases": ["RDK"]}]')
                _wait_for(caplog, "is rejected, keeping the previous groups")
            assert "already names the bundled group 'Russian Volunteer Corps'" in caplog.text
            bus.publish(topics[0], "3", serde.dumps(_article(3, "Vovky Bolit strike again")))
            bus.flush()
            assert _matches(reader, 1)[0].article.id == "ug-3"
        finally:
            stop.set()
            thread.join(timeout=30)
            reader.close()
            stage.close()
    # Without the user group, a watch naming it is an error at start.
    with pytest.raises(ValueError, match="unknown group 'Marsh Wolves'"), \
            open_bus(config.bus_url()) as bus:
        build_stage(config.model_copy(update={"classifier": config.classifier.model_copy(
            update={"groups_file": ""})}), bus)


def _matches(reader, n: int, timeout: float = 30.0) -> list[Match]:
    got: list[Match] = []
    deadline = time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        got += [serde.loads(r.value, Match) for r in reader.poll(timeout_secs=0.2)]
    assert len(got) == n, got
    return got


def _wait_for(caplog, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert text in caplog.text


def test_reload_path_applies_group_edits_and_rejects_collisions(tmp_path: Path, caplog):
    from newswatch import app
    from newswatch.service.reload import ConfigWatcher, changed_sections

    path = cfg(tmp_path)
    watcher = ConfigWatcher(path, app.load(str(path)), load=app.load)
    time.sleep(0.05)
    path.write_text(path.read_text() + '[[groups]]\nname = "Dawn Legion"\naliases = ["NOB"]\n')
    with caplog.at_level(logging.ERROR, logger="newswatch.service.reload"):
        assert watcher.check() is None  # rejected: the running groups stay
    assert "groups[1].aliases[0]: alias 'NOB' of 'Dawn Legion' is also an alias of" in caplog.text
    old = watcher.current
    time.sleep(0.05)
    path.write_text(path.read_text().replace('aliases = ["NOB"]', 'aliases = ["DL"]'))
    new = watcher.check()
    assert new is not None and changed_sections(old, new) == {"groups"}
    assert [g.name for g in new.groups] == ["Night Owls Brigade", "Dawn Legion"]
