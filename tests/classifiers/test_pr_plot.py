"""``newswatch evaluate`` on a small held-out file: the printed metrics and the PR plot PNG."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

from classifiers.analyzer import ModelAnalyzer
from classifiers.corpus import label_matrix, read_jsonl

R, A = "cross_border_raid", "armed_group"
# Corpus format, written for this test; a few hard cases so the curves are not trivial.
HELDOUT = [
    ("ho-1", "Fighters cross the frontier at night and storm a customs post",
     "Two guards were wounded before the attackers withdrew across the river.", [R]),
    ("ho-2", "Insurgents from across the border attack a police station",
     "The Ridgeline Front said its fighters returned to their bases in the hills.", [R, A]),
    ("ho-3", "Armed men infiltrate from the neighbouring state and ambush a patrol",
     "", [R]),
    ("ho-4", "Cross-border raid on a frontier village leaves three dead", "", [R]),
    ("ho-5", "Mortar shells fired across the border hit a farm", "", [R]),
    ("ho-6", "Hezbollah says it fired rockets at an army position", "", [A]),
    ("ho-7", "Al-Shabaab militants claim an attack on a hotel in the capital", "", [A]),
    ("ho-8", "The Black Valley Brigade claims a bombing of a fuel depot",
     "The armed group said the attack was revenge for arrests.", [A]),
    ("ho-9", "Rebel commander announces a new offensive in the north", "", [A]),
    ("ho-10", "City council approves a bigger budget for bus lanes", "", []),
    ("ho-11", "Border crossing reopens for trucks after the holiday",
     "Queues at the checkpoint were shorter than last year.", []),
    ("ho-12", "Football club raids rival's academy for young talent", "", []),
    ("ho-13", "Museum opens an exhibition on medieval border fortresses", "", []),
    ("ho-14", "Army holds a parade to mark independence day", "", []),
    ("ho-15", "Customs officers seize counterfeit watches at the frontier", "", []),
    ("ho-16", "Central bank raises interest rates by a quarter point", "", []),
    ("ho-17", "Police raid a warehouse and arrest three smugglers", "", []),
    ("ho-18", "Band announces a tour across the border next spring", "", []),
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _write_heldout(path: Path) -> None:
    path.write_text("".join(
        json.dumps({"id": i, "title": t, "summary": s, "labels": labels, "groups": [],
                    "lang": "en"}) + "\n"
        for i, t, s, labels in HELDOUT), encoding="utf-8")


def _evaluate(*args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    code = f"import sys\n{prelude}\nfrom newswatch.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, "evaluate", *args], capture_output=True,
                          text=True, timeout=300)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def _printed(stdout: str) -> dict[str, tuple[float, float, float, int, float]]:
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in (R, A):
            rows[parts[0]] = (*map(float, parts[1:4]), int(parts[4]), float(parts[5]))
    return rows


def test_evaluate_prints_metrics_and_writes_a_pr_plot(
    model_dir: Path, analyzer: ModelAnalyzer, tmp_path: Path
) -> None:
    data = tmp_path / "heldout.jsonl"
    _write_heldout(data)
    png = tmp_path / "pr.png"
    proc = _evaluate(str(data), "--model", str(model_dir), "--plot", str(png))
    assert proc.returncode == 0, proc.stderr
    assert f"{len(HELDOUT)} examples from {data}" in proc.stdout
    assert f"precision-recall plot written to {png}" in proc.stdout

    # The printed table agrees with the model's own scores at its thresholds.
    model = analyzer.model
    examples = read_jsonl(data)
    Y = label_matrix(examples, list(model.classes_))
    P = model.predict_proba([e.text for e in examples])
    printed = _printed(proc.stdout)
    assert set(printed) == {R, A}
    for j, label in enumerate(model.classes_):
        pred = (P[:, j] >= model.thresholds_[j]).astype(int)
        p, r, f, _ = precision_recall_fscore_support(Y[:, j], pred, average="binary",
                                                     zero_division=0)
        got = printed[label]
        assert np.allclose(got[:3], (p, r, f), atol=5e-4), (label, got, (p, r, f))
        assert got[3] == int(Y[:, j].sum()) == sum(label in h[3] for h in HELDOUT)
        assert abs(got[4] - model.thresholds_[j]) < 5e-3

    blob = png.read_bytes()
    width, height = _png_size(blob)
    assert width >= 600 and height >= 450, (width, height)
    assert len(blob) > 20_000  # curves, legend and labels drawn, not an empty canvas
    assert blob.endswith(b"IEND\xaeB`\x82")

    # Default plot path: DATA-pr.png in the working directory.
    proc = subprocess.run([sys.executable, "-m", "newswatch", "evaluate", str(data), "--model",
                           str(model_dir)], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _png_size((tmp_path / "heldout-pr.png").read_bytes()) == (width, height)


def test_evaluate_without_matplotlib_prints_the_hint(model_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "heldout.jsonl"
    _write_heldout(data)
    png = tmp_path / "pr.png"
    # ``sys.modules[name] = None`` makes ``import matplotlib`` raise ImportError, as if absent.
    proc = _evaluate(str(data), "--model", str(model_dir), "--plot", str(png),
                     prelude="sys.modules['matplotlib'] = None")
    assert proc.returncode == 0, proc.stderr
    assert "matplotlib is not installed" in proc.stdout
    assert "pip install 'newswatch[plot]'" in proc.stdout
    assert set(_printed(proc.stdout)) == {R, A}  # the metrics are printed all the same
    assert not png.exists()
