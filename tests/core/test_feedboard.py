"""The bounded feed-health metrics: a scrape has the same few series whatever the feed count."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from newswatch.feedboard import FeedBoard


def test_feed_metrics_stay_bounded() -> None:
    registry = CollectorRegistry()
    board = FeedBoard(top=3, register=False)
    registry.register(board)
    for i in range(5000):
        board.update(f"f{i}", polled=i % 10 != 0, failures=i if i % 500 == 1 else 0)
    text = generate_latest(registry).decode()
    samples = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert len(samples) == 3 + 3  # 3 statuses + the 3 worst feeds, whatever the feed count
    assert 'newswatch_feeds{status="failing"} 10.0' in text
    assert 'newswatch_feeds{status="never_polled"} 500.0' in text
    assert 'newswatch_feed_consecutive_failures{feed="f4501"} 4501.0' in text
    board.update("f4501", polled=True, failures=0)  # recovered: leaves the worst list
    board.forget("f4001")
    assert [f for f, _ in board.worst()] == ["f3501", "f3001", "f2501"]
    assert 'newswatch_feeds{status="failing"} 8.0' in generate_latest(registry).decode()
