"""Fixtures for the alert tests: TLS certificate, SMTP server and webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alert_servers import SmtpServer, WebhookReceiver, make_cert
from nw_waits import free_port


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server(tls_cert) -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), tls_cert, user="alice", password="s3cret-smtp-pw",
                        require_starttls=True).start()
    yield server
    server.stop()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(secret="hmac-key-Zq81").start()
    yield receiver
    receiver.stop()
