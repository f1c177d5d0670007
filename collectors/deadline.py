"""A total deadline for one fetch, and cancellation of every fetch in flight.

httpx's timeouts are per socket operation: a server that sends one byte a second never trips
the read timeout and holds a worker (and a per-host slot) forever. This network backend bounds
every socket operation of the calling thread by the deadline of its current fetch (headers,
body, TLS, redirects, new or reused connections alike) and waits in short slices, so a
cancelled fetch (service shutdown) ends within :data:`SLICE_SECS`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

SLICE_SECS = 0.25
_scope = threading.local()


class DeadlineExceeded(Exception):
    """The fetch did not complete within its total deadline."""


class Cancelled(Exception):
    """The fetch was cancelled (the collector is stopping)."""


@contextlib.contextmanager
def fetch_scope(total_secs: float, cancel: threading.Event) -> Iterator[None]:
    """Socket operations of this thread inside the block end by ``total_secs`` from now, or
    as soon as ``cancel`` is set."""
    _scope.deadline, _scope.cancel = time.monotonic() + total_secs, cancel
    try:
        yield
    finally:
        _scope.deadline, _scope.cancel = None, None


def _check() -> None:
    cancel: threading.Event | None = getattr(_scope, "cancel", None)
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled: the collector is stopping")
    deadline: float | None = getattr(_scope, "deadline", None)
    if deadline is not None and time.monotonic() >= deadline:
        raise DeadlineExceeded("deadline passed")


def _remaining(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left of the fetch's deadline (after :func:`_check`)."""
    _check()
    deadline: float | None = getattr(_scope, "deadline", None)
    if deadline is None:
        return timeout
    left = max(0.001, deadline - time.monotonic())
    return left if timeout is None else min(timeout, left)


def _read(inner: httpcore.NetworkStream, max_bytes: int, timeout: float | None) -> bytes:
    """Read in slices until data comes, the read's own ``timeout`` passes (httpcore's
    ReadTimeout), the fetch's deadline passes, or the fetch is cancelled."""
    if getattr(_scope, "deadline", None) is None:
        return inner.read(max_bytes, timeout)
    own_end = None if timeout is None else time.monotonic() + timeout
    while True:
        left = _remaining(None if own_end is None else max(0.001, own_end - time.monotonic()))
        try:
            return inner.read(max_bytes, min(left or SLICE_SECS, SLICE_SECS))
        except httpcore.ReadTimeout:
            if own_end is not None and time.monotonic() >= own_end:
                raise


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _read(self.inner, max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None, socket_options: Any = None,
                    ) -> httpcore.NetworkStream:
        return _Stream(
            self.inner.connect_tcp(host, port, _remaining(timeout), local_address, socket_options)
        )

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(path, _remaining(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def _with_deadline(transport: Any) -> Any:
    """Put :class:`DeadlineBackend` under an httpx transport's httpcore pool. httpx has no
    argument for a network backend; httpcore's pools (plain, HTTP and SOCKS proxy) keep theirs
    in ``_network_backend``. Refuses loudly if that ever changes (no silent loss of the cap)."""
    pool = getattr(transport, "_pool", None)
    if pool is None or not hasattr(pool, "_network_backend"):
        raise RuntimeError(f"cannot bound fetches with this httpx/httpcore ({httpx.__version__})")
    pool._network_backend = DeadlineBackend()
    return transport


class DeadlineClient(httpx.Client):
    """``httpx.Client`` whose transports, including those for ``HTTP(S)_PROXY`` from the
    environment, honour :func:`fetch_scope`."""

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        return _with_deadline(super()._init_transport(*args, **kwargs))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        return _with_deadline(super()._init_proxy_transport(*args, **kwargs))
