"""Fixtures for the collector tests (see feedhelp.py for the server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from feedhelp import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
