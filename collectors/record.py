"""Save fetched bodies with their headers and fetch time, in the layout replay reads:
``<dir>/<feed_id>/<UTC time>.<xml|json>`` plus ``<same>.headers.json``."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from collectors.fetch import Fetched
from collectors.jsonfeed import looks_like_json
from collectors.urls import redact
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig

# Response headers never worth keeping (and possibly personal).
DROP_HEADERS = frozenset({"set-cookie", "set-cookie2", "authorization", "www-authenticate"})


class Recorder:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def save(self, feed_id: str, url: str, fetched: Fetched) -> Path:
        folder = self.directory / feed_id
        folder.mkdir(parents=True, exist_ok=True)
        ext = ".json" if looks_like_json(fetched.body[:64]) else ".xml"
        stamp = fetched.fetched.strftime("%Y%m%dT%H%M%S_%fZ")
        path = folder / f"{stamp}{ext}"
        sidecar = {
            "feed_id": feed_id,
            "url": redact(url),  # for display (and replay's base URL): no credentials
            "final_url": redact(fetched.final_url),
            "status": fetched.status,
            "fetched": fetched.fetched.isoformat(),
            "headers": {
                k: v for k, v in sorted(fetched.headers.items()) if k.lower() not in DROP_HEADERS
            },
        }
        _atomic_write(path, fetched.body)
        _atomic_write(
            path.with_name(path.name + ".headers.json"),
            (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        )
        return path


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def record_once(
    feeds: Sequence[FeedConfig],
    collect: CollectConfig,
    recorder: Recorder,
    progress: Callable[[], None] | None = None,
) -> list[tuple[str, Path | None, str]]:
    """Fetch each feed once (unconditionally) and save it: [(feed id, path or None, error)],
    in the order of ``feeds``. The per-host concurrency limit applies."""
    from concurrent.futures import ThreadPoolExecutor

    from collectors.fetch import Fetcher, FetchError
    from collectors.urls import host_of

    fetcher = Fetcher(collect)
    slots: dict[str, threading.BoundedSemaphore] = {}
    lock = threading.Lock()

    def one(feed: FeedConfig) -> tuple[str, Path | None, str]:
        with lock:
            slot = slots.setdefault(
                host_of(feed.url), threading.BoundedSemaphore(collect.per_host_concurrency)
            )
        try:
            with slot:
                got = fetcher.fetch(feed)
            return feed.id, recorder.save(feed.id, feed.url, got), ""
        except (FetchError, OSError) as exc:
            return feed.id, None, str(exc)
        finally:
            if progress is not None:
                progress()

    try:
        with ThreadPoolExecutor(collect.max_workers) as pool:
            return list(pool.map(one, feeds))
    finally:
        fetcher.close()
