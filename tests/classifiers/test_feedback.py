"""Feedback that sticks: one `newswatch label --not` plus `newswatch train` moves the labelled
article *and* a near-copy below the threshold; train compares old and new model on the same
held-out split; a running classify stage switches to the retrained model between batches."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from pathlib import Path

from classifiers.artifact import read_metadata
from classifiers.retrain import MAX_F1_DROP, RetrainReport
from classifiers.stage import build_stage
from newswatch import serde
from newswatch.bus import open_bus
from newswatch.cli import main
from newswatch.config import load_config
from newswatch.models import Article, Match
from newswatch.stage import ARTICLES, MATCHES

# A cricket "attack" is not a raid; the model of our bundled corpus flags both (about 0.9).
# (Drills near a border, then an arms deal, were the example until the model learnt them.)
LABELLED = "Indian attack rips through Pakistan's bowling in Lahore test"
NEAR_COPY = "Indian attack rips through Pakistan's bowling again in Karachi test, reports say"
RAID = "Rebels cross the border at night and attack an army post"


def _config(tmp_path: Path, model: Path) -> Path:
    path = tmp_path / "nw.toml"
    path.write_text(
        f'[service]\ndata_dir = "{tmp_path / "data"}"\nreload_check_secs = 0.2\n'
        f'[classifier]\nmodel_path = "{model}"\n'
        '[[watches]]\nname = "raids"\nlabels = { cross_border_raid = 0.5 }\n', encoding="utf-8")
    return path


def _article(i: int, title: str) -> Article:
    return Article(id=f"fb-{i}", feed_id="wire", url=f"https://w.example/fb/{i}", title=title)


def _raids(reader, expect: int, timeout: float = 30.0) -> list[Match]:
    got: list[Match] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(got) < expect:
        got += [serde.loads(r.value, Match) for r in reader.poll(timeout_secs=0.2)]
    got += [serde.loads(r.value, Match) for r in reader.poll(timeout_secs=1.0)]
    return got


def test_label_train_and_a_running_stage_switches_to_the_new_model(
    tmp_path: Path, model_dir: Path, caplog, capsys
):
    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    old_version = read_metadata(model)["version"]
    config = load_config(_config(tmp_path, model))
    with open_bus(config.bus_url()) as bus:
        topics = [config.bus.topic(ARTICLES), config.bus.topic(MATCHES)]
        bus.create_topics(topics)
        stage = build_stage(config, bus)
        reader = bus.consumer("fb-reader", [topics[1]])
        stop = threading.Event()
        thread = threading.Thread(target=stage.run, args=(stop,))
        thread.start()
        try:
            for i, title in enumerate((LABELLED, NEAR_COPY, RAID)):
                bus.publish(topics[0], str(i), serde.dumps(_article(i, title)))
            bus.flush()
            before = {m.article.title for m in _raids(reader, 3)}
            assert before == {LABELLED, NEAR_COPY, RAID}  # the false alarms we correct
            assert main(["label", "fb-0", "--not", "cross_border_raid", "-c",
                         str(_config(tmp_path, model)), "--title", LABELLED]) == 0
            with caplog.at_level(logging.INFO, logger="newswatch.classify"):
                assert main(["train", "-c", str(_config(tmp_path, model))]) == 0
                out = capsys.readouterr().out
                new_version = read_metadata(model)["version"]
                deadline = time.monotonic() + 30
                while f"model switched to {new_version}" not in caplog.text \
                        and time.monotonic() < deadline:
                    time.sleep(0.1)
            assert f"model switched to {new_version} (was {old_version})" in caplog.text
            assert new_version != old_version
            for i, title in enumerate((LABELLED, NEAR_COPY, RAID), 3):
                bus.publish(topics[0], str(i), serde.dumps(_article(i, title)))
            bus.flush()
            after = {m.article.title for m in _raids(reader, 1)}
            assert after == {RAID}, after  # the correction sticks to the near-copy too
        finally:
            stop.set()
            thread.join(timeout=30)
            reader.close()
            stage.close()
    assert "1 of your feedback" in out
    assert f"before (current model {old_version}):" in out
    assert f"after (new model {new_version}):" in out and "each fitted without it" in out
    assert out.count("cross_border_raid") == 2 and "model saved to" in out


def test_retrain_refuses_a_model_that_does_worse(tmp_path: Path, model_dir: Path, capsys):
    """Feedback that contradicts the corpus (a region's raid reports all marked 'not a raid')
    lowers held-out F1: the model is not saved and train exits 3, unless --accept-drop."""
    from classifiers.corpus import load_corpus

    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    old_version = read_metadata(model)["version"]
    cfg = _config(tmp_path, model)
    user = tmp_path / "data" / "corpus" / "user.jsonl"
    user.parent.mkdir(parents=True)
    wrong = [{"title": e.title, "summary": e.summary,
              "labels": [lb for lb in e.labels if lb != "cross_border_raid"]}
             for e in load_corpus() if e.source == "pos_russia_ukraine.jsonl"
             and "cross_border_raid" in e.labels]
    assert len(wrong) > 100
    user.write_text("\n".join(json.dumps(x) for x in wrong) + "\n")
    assert main(["train", "-c", str(cfg)]) == 3
    captured = capsys.readouterr()
    assert "WARNING: held-out F1 of cross_border_raid falls from" in captured.err
    assert "model NOT saved" in captured.err
    assert read_metadata(model)["version"] == old_version
    from classifiers.training import retrain

    report: RetrainReport = retrain(load_config(cfg), accept_drop=True)
    assert report.saved and report.drops and report.version_before == old_version
    old, new = report.drops["cross_border_raid"]
    assert new < old - MAX_F1_DROP
    assert read_metadata(model)["version"] == report.version_after
    assert report.as_dict()["ok"] is False
