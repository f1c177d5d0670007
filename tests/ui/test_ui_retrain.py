"""The background retrain's timing: a burst of feedback trains once, after the quiet period;
feedback during training leads to one more run; a failure is reported, not fatal. (The real
training, swap and score change are proved end to end in test_ui_browser.py.)"""

from __future__ import annotations

import threading
import time
from typing import Any

from ui_harness import parse

from newswatch.ui.retrain import Retrainer


def _wait(check, timeout: float = 10.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_debounced_and_rerun_when_feedback_arrives_during_training() -> None:
    config = parse('[ui]\nretrain_delay_secs = 0.3')
    runs: list[float] = []
    swapped: list[dict] = []
    gate = threading.Event()

    def train(cfg: Any, accept_drop: bool = False) -> dict:
        runs.append(time.monotonic())
        if len(runs) == 1:
            gate.wait(5)
        return {"version_before": f"v{len(runs)}", "version_after": f"v{len(runs) + 1}",
                "saved": True, "duration_secs": 0.0}

    r = Retrainer(lambda: config, on_swap=swapped.append, train=train)
    r.start()
    try:
        first_click = time.monotonic()
        for _ in range(5):  # a burst of clicks
            r.request()
            time.sleep(0.05)
        assert r.state == "waiting" and r.due_in() is not None
        _wait(lambda: len(runs) == 1)
        assert runs[0] - first_click >= 0.3 + 0.2  # after the last click's quiet period
        assert r.state == "training"
        r.request()  # feedback while training: one more run afterwards
        gate.set()
        _wait(lambda: len(runs) == 2)
        _wait(lambda: r.state == "idle")
        assert [s["version_after"] for s in swapped] == ["v2", "v3"]
        time.sleep(0.5)
        assert len(runs) == 2
    finally:
        r.close()


def test_failure_is_reported_and_retrain_off_means_never() -> None:
    config = parse('[ui]\nretrain_delay_secs = 0')

    def broken(cfg: Any, accept_drop: bool = False) -> dict:
        raise RuntimeError("disk full")

    r = Retrainer(lambda: config, train=broken)
    r.start()
    try:
        r.request()
        _wait(lambda: r.error == "RuntimeError: disk full" and r.state == "idle")
    finally:
        r.close()
    swapped: list[dict] = []
    asked: list[bool] = []

    def cautious(cfg: Any, accept_drop: bool = False) -> dict:
        asked.append(accept_drop)
        return {"saved": accept_drop, "note": "" if accept_drop else "held-out F1 would fall"}

    worse = Retrainer(lambda: parse('[ui]\nretrain_delay_secs = 30'), on_swap=swapped.append,
                      train=cautious)
    worse.start()
    try:
        worse.request(accept_drop=True)  # the analyst's "switch anyway": no quiet period
        _wait(lambda: worse.last is not None and worse.state == "idle", timeout=5)
    finally:
        worse.close()
    assert asked == [True] and len(swapped) == 1
    r = Retrainer(lambda: config, on_swap=swapped.append, train=cautious)
    r.start()
    try:
        r.request()
        _wait(lambda: len(asked) == 2 and r.state == "idle")
    finally:
        r.close()
    assert asked == [True, False] and len(swapped) == 1  # not saved: not switched in
    off = parse('[ui]\nretrain = false')
    calls: list[int] = []
    r = Retrainer(lambda: off, train=lambda cfg, **kw: calls.append(1) or {})
    r.start()
    r.request()
    time.sleep(0.3)
    r.close()
    assert calls == [] and r.state == "idle"
    keywords = parse('[classifier]\nkind = "keywords"')
    assert Retrainer(lambda: keywords).request() is None  # nothing to train: no-op
