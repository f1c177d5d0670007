"""``newswatch classify``, ``evaluate``, ``label`` and ``test-watch`` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from newswatch.cli import main

LINES = [
    json.dumps({"title": "Militants cross from Afghanistan and attack a Pakistani border post",
                "summary": "The Tehrik-i-Taliban Pakistan claimed the raid; six soldiers died."}),
    "Central bank holds interest rates steady as inflation slows",
    json.dumps({"title": "Бойцы РДК и ЛСР заявили о прорыве границы в Белгородской области",
                "content": "Губернатор сообщил об обстрелах."}),
    json.dumps({"summary": "no title here, only a summary about the weather"}),
]


def run_cli(*args: str, stdin: str = "", env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newswatch", *args], input=stdin, capture_output=True,
        text=True, timeout=300, env={**os.environ, **(env or {})}, cwd=cwd,
    )


def test_classify_prints_one_object_per_line_in_order(model_dir: Path, tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    proc = run_cli("classify", str(src), "--model", str(model_dir))
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(LINES)
    for obj in out:
        assert list(obj) == ["flagged", "labels", "groups", "candidates", "places", "reasons"]
        assert set(obj["labels"]) == {"cross_border_raid", "armed_group"}
    assert out[0]["flagged"] and out[0]["labels"]["cross_border_raid"] >= 0.5
    assert out[0]["groups"] == ["Tehrik-i-Taliban Pakistan"]
    assert not out[1]["flagged"] and out[1]["groups"] == [] and out[1]["reasons"] == []
    assert set(out[2]["groups"]) == {"Russian Volunteer Corps", "Freedom of Russia Legion"}
    assert not out[3]["flagged"]
    # Places: ISO codes and names, the event's place first; actors' homes are not places.
    assert [p["id"] for p in out[0]["places"]][:1] == ["PK"]
    assert "AF" not in [p["id"] for p in out[0]["places"]]
    assert out[2]["places"][0] == {"id": "RU-BEL", "name": "Belgorod", "kind": "region",
                                   "country": "RU", "region": ""}
    assert out[1]["places"] == [] and any(r.startswith("where: ") for r in out[0]["reasons"])
    # Same result from stdin.
    piped = run_cli("classify", "-", "--model", str(model_dir), stdin=src.read_text())
    assert piped.stdout == proc.stdout


def test_classify_missing_file_and_mismatched_model(model_dir: Path, tmp_path: Path):
    proc = run_cli("classify", str(tmp_path / "nope.jsonl"), "--model", str(model_dir))
    assert proc.returncode == 2 and "nope.jsonl: cannot read" in proc.stderr
    proc = run_cli("classify", "--model", str(tmp_path / "no-model"), stdin="x\n")
    assert proc.returncode == 2 and "newswatch train" in proc.stderr


def test_evaluate_prints_metrics_and_explains_the_plot(model_dir: Path, tmp_path: Path):
    data = tmp_path / "eval.jsonl"
    rows = [
        {"title": "Rebels cross the border and raid an army post", "labels": ["cross_border_raid"]},
        {"title": "Hamas gunmen attack a checkpoint", "labels": ["armed_group"]},
        {"title": "Bakery wins a prize for its bread", "labels": []},
        {"title": "Parliament passes budget bill", "labels": []},
    ]
    data.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    proc = run_cli("evaluate", str(data), "--model", str(model_dir), "--plot",
                   str(tmp_path / "pr.png"))
    assert proc.returncode == 0, proc.stderr
    assert "cross_border_raid" in proc.stdout and "armed_group" in proc.stdout
    assert "precision" in proc.stdout
    try:
        import matplotlib  # noqa: F401

        assert (tmp_path / "pr.png").stat().st_size > 1000
    except ImportError:
        assert "pip install 'newswatch[plot]'" in proc.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "ok", "labels": []}\n{"title": 3}\n')
    proc = run_cli("evaluate", str(bad), "--model", str(model_dir))
    assert proc.returncode == 2 and "bad.jsonl:2: bad example" in proc.stderr


def write_config(tmp_path: Path, model_dir: Path) -> Path:
    cfg = tmp_path / "nw.toml"
    cfg.write_text(
        f'[service]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[classifier]\nmodel_path = "{model_dir}"\n'
        '[[watches]]\nname = "raids"\nlabels = { cross_border_raid = 0.5 }\n'
        '[[watches]]\nname = "legion"\ngroups = ["Freedom of Russia Legion"]\n'
        '[[watches]]\nname = "kursk"\nkeywords = { any = ["Kursk"] }\nlanguages = ["en"]\n'
    )
    return cfg


def test_test_watch_shows_matches_and_reasons(model_dir: Path, tmp_path: Path, capsys):
    cfg = write_config(tmp_path, model_dir)
    article = tmp_path / "a.json"
    article.write_text(json.dumps({
        "title": "Legion of Free Russia fighters cross into Kursk region",
        "summary": "They attacked a border post after crossing from Ukraine, the group said.",
        "language": "en"}))
    assert main(["test-watch", str(article), "-c", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "[x] raids: match" in out and "[x] legion: match" in out
    assert "watched group Freedom of Russia Legion" in out and "keyword 'Kursk'" in out
    article.write_text(json.dumps({"title": "Bakery opens in Kursk", "language": "de"}))
    assert main(["test-watch", str(article), "-c", str(cfg)]) == 1
    out = capsys.readouterr().out
    assert "[ ] raids: no match: labels below minimum" in out
    assert "[ ] kursk: no match: language 'de'" in out


def test_label_appends_feedback_and_train_uses_it(model_dir: Path, tmp_path: Path, capsys):
    from classifiers.defaults import training_examples
    from newswatch.config import load_config

    cfg = write_config(tmp_path, model_dir)
    assert main(["label", "art-1", "--not", "cross_border_raid", "-c", str(cfg),
                 "--title", "Drone crosses into neighbouring airspace, no attack reported"]) == 0
    assert main(["label", "art-2", "--label", "armed_group", "-c", str(cfg),
                 "--title", "Night Owls Brigade claims attack on a fuel depot"]) == 0
    assert main(["label", "art-3", "--label", "raid", "-c", str(cfg), "--title", "x"]) == 2
    assert "unknown label" in capsys.readouterr().err
    user = tmp_path / "data" / "corpus" / "user.jsonl"
    entries = [json.loads(line) for line in user.read_text().splitlines()]
    assert [e["id"] for e in entries] == ["user-art-1", "user-art-2"]
    assert "cross_border_raid" not in entries[0]["labels"]
    assert "armed_group" in entries[1]["labels"]
    examples = training_examples(load_config(cfg))
    assert examples[-1].title == "Night Owls Brigade claims attack on a fuel depot"
    # Not on the bus and no --title: a clear error.
    assert main(["label", "missing", "--label", "armed_group", "-c", str(cfg)]) == 2
    assert "not found on the bus" in capsys.readouterr().err


def test_readme_replay_alerts_on_raids_and_groups_only(model_cache: Path, tmp_path: Path):
    repo = Path(__file__).resolve().parents[2]
    proc = run_cli("replay", str(repo / "newswatch" / "samples" / "feeds"), cwd=tmp_path,
                   env={"NEWSWATCH_CACHE_DIR": str(model_cache)})
    assert proc.returncode == 0, proc.stderr
    for title in ("Volunteer units cross into Belgorod region",
                  "Mortar fire across the frontier",
                  "Militants infiltrate across the border",
                  "Rebel group claims ambush on convoy"):
        assert title in proc.stdout, proc.stdout
    for title in ("bicycle lanes", "counterfeit sneakers", "Wagner festival", "customs lanes",
                  "interest rates"):
        assert title not in proc.stdout, proc.stdout
