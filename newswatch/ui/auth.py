"""Who may use the UI: a password (scrypt hash in the config), or a trusted proxy's header.

Hash format (``newswatch ui hash-password``)::

    scrypt$<log2 N>$<r>$<p>$<salt, base64>$<key, base64>

with Python's ``hashlib.scrypt`` (N = 2**15, r = 8, p = 1, 16-byte salt, 32-byte key: ~100 ms
and 32 MiB per check). Verification is constant-time. Bound to loopback with nothing configured,
the UI trusts the local user; bound anywhere else it serves nothing until one is configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from newswatch.config import Config

LOG2_N, R, P, KEY_BYTES = 15, 8, 1, 32
MAXMEM = 64 * 1024 * 1024
LOCAL_USER = "local"
PASSWORD_USER = "operator"


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("empty password")
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=2**LOG2_N, r=R, p=P, maxmem=MAXMEM,
                         dklen=KEY_BYTES)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${LOG2_N}${R}${P}${b64(salt)}${b64(key)}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, log2n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt" or not 10 <= int(log2n) <= 20:
            return False
        want = base64.b64decode(key)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=2 ** int(log2n),
                             r=int(r), p=int(p), maxmem=4 * MAXMEM, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@dataclass(frozen=True)
class Decision:
    """``user`` when allowed; else ``status`` 303 (to the login page), 401 or 503 and why."""

    user: str = ""
    status: int = 0
    reason: str = ""


def decide(config: Config, loopback: bool, peer: str, headers: dict[str, str],
           session_user: str) -> Decision:
    ui = config.ui
    if ui.trusted_proxy_header:
        value = headers.get(ui.trusted_proxy_header.lower(), "").strip()
        if peer in ui.trusted_proxies and value:
            return Decision(user=value[:100])
        return Decision(status=401, reason=f"sign in through the reverse proxy (it sets "
                        f"{ui.trusted_proxy_header})")
    if ui.password_hash_value():
        if session_user:
            return Decision(user=session_user)
        return Decision(status=303, reason="login")
    if loopback:
        return Decision(user=LOCAL_USER)
    return Decision(status=503, reason=(
        "The web UI is not served: [service] http_listen is not a loopback address and no "
        "authentication is configured. Set [ui] password_hash (from `newswatch ui "
        "hash-password`, best via NEWSWATCH_UI__PASSWORD_HASH) or [ui] trusted_proxy_header, "
        "or bind to 127.0.0.1."))


class Throttle:
    """Failed logins per peer: after ``limit`` within ``window_secs``, refuse until it passes."""

    def __init__(self, limit: int = 10, window_secs: float = 300.0):
        self.limit, self.window = limit, window_secs
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, peer: str) -> bool:
        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._fails.get(peer, []) if now - t < self.window]
            self._fails[peer] = recent
            return len(recent) >= self.limit

    def failed(self, peer: str) -> None:
        with self._lock:
            self._fails.setdefault(peer, []).append(time.monotonic())

    def clear(self, peer: str) -> None:
        with self._lock:
            self._fails.pop(peer, None)
