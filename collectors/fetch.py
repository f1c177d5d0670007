"""HTTP fetching: timeouts, gzip, redirects (final URL kept), size cap, User-Agent and extra
headers per feed, conditional GET with the validators stored per feed."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

import httpx

from collectors.deadline import Cancelled, DeadlineClient, DeadlineExceeded, fetch_scope
from collectors.urls import redact
from newswatch.config.collect import CollectConfig
from newswatch.config.feeds import FeedConfig
from newswatch.models import utcnow


class FetchError(Exception):
    """A failed fetch; ``retry_after`` is the server's Retry-After in seconds when given."""

    def __init__(self, message: str, status: int = 0, retry_after: float | None = None,
                 cancelled: bool = False):
        super().__init__(message)
        self.status, self.retry_after, self.cancelled = status, retry_after, cancelled


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int  # 200, or 304 (not modified: body empty)
    body: bytes
    headers: dict[str, str]
    final_url: str
    fetched: datetime
    redirects: int = 0
    body_hash: str = ""


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    def __init__(self, collect: CollectConfig):
        self.collect = collect
        self._cancel = threading.Event()
        self.client = DeadlineClient(  # httpx.Client with the total deadline under it
            follow_redirects=True,
            max_redirects=collect.max_redirects,
            headers={"User-Agent": collect.user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def _headers(self, feed: FeedConfig, etag: str, last_modified: str) -> dict[str, str]:
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5",
        }
        if feed.user_agent:
            headers["User-Agent"] = feed.user_agent
        headers.update(feed.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def cancel(self) -> None:
        """End every fetch in flight (within a quarter second) and refuse new ones."""
        self._cancel.set()

    def fetch(self, feed: FeedConfig, etag: str = "", last_modified: str = "") -> Fetched:
        """GET the feed; raise :class:`FetchError` naming the problem (never the headers).
        The whole fetch ends within ``fetch_deadline_secs``, whatever the server does."""
        deadline = feed.fetch_deadline_secs or self.collect.fetch_deadline_secs
        try:
            with fetch_scope(deadline, self._cancel):
                return self._fetch(feed, etag, last_modified)
        except DeadlineExceeded:
            raise FetchError(f"no complete response within {deadline:g}s "
                             "(fetch_deadline_secs)") from None
        except Cancelled:
            raise FetchError("cancelled: the collector is stopping", cancelled=True) from None

    def _fetch(self, feed: FeedConfig, etag: str, last_modified: str) -> Fetched:
        timeout = httpx.Timeout(
            feed.read_timeout_secs or self.collect.read_timeout_secs,
            connect=feed.connect_timeout_secs or self.collect.connect_timeout_secs,
        )
        cap = feed.max_bytes or self.collect.max_bytes
        now = utcnow()
        if self._cancel.is_set():
            raise Cancelled()
        try:
            with self.client.stream(
                "GET", feed.url, headers=self._headers(feed, etag, last_modified), timeout=timeout
            ) as resp:
                final = str(resp.url)
                headers = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code == 304:
                    return Fetched(304, b"", headers, final, now, len(resp.history))
                if resp.status_code >= 400 or resp.status_code < 200:
                    retry = parse_retry_after(resp.headers.get("retry-after"), now)
                    raise FetchError(
                        f"HTTP {resp.status_code} {resp.reason_phrase}".strip()
                        + (f" from {redact(final)}" if final != feed.url else ""),
                        resp.status_code, retry,
                    )
                length = resp.headers.get("content-length", "")
                if length.isdigit() and "content-encoding" not in headers and int(length) > cap:
                    raise FetchError(f"response of {length} bytes exceeds max_bytes {cap}", 200)
                chunks, size = [], 0
                for chunk in resp.iter_bytes():  # decoded (gzip) bytes: the cap bounds memory
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"response exceeds max_bytes {cap} (download stopped)")
                    chunks.append(chunk)
                body = b"".join(chunks)
                return Fetched(
                    resp.status_code, body, headers, final, now, len(resp.history), body_hash(body)
                )
        except httpx.TooManyRedirects:
            raise FetchError(f"more than {self.collect.max_redirects} redirects") from None
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {redact(str(exc))}") from None

    def close(self) -> None:
        self.client.close()
