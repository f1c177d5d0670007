"""Opening the SQLite files newswatch keeps (embedded bus, delivery ledger, seen-store, feed
state): private permissions, the start-up integrity check, and a fault switch for tests.

* Directories are created 0700 and database files 0600 (SQLite gives its ``-wal``/``-shm``
  files the database file's mode), whatever the umask: they hold feed URLs, alert texts and
  delivery history.
* :func:`check` runs ``PRAGMA quick_check`` and names what is wrong, so the service can refuse
  to start on a damaged file instead of dying later with a raw ``sqlite3.DatabaseError``.
* Test-only: when ``$NEWSWATCH_FAULT_DISK_FULL`` names a file that exists, connections to the
  databases listed in it (one file name a line, ``*`` for all) fail every write the way SQLite
  does on a full disk in WAL mode (``COMMIT``, and writes outside a transaction, raise
  ``sqlite3.OperationalError: database or disk is full``; a failed COMMIT has rolled the
  transaction back, which SQLite may do by itself); deleting the file frees the "disk".
  A real full file system needs ``mount`` (root, not available in every CI container), and
  ``PRAGMA max_page_count`` does not fail in-place updates that still need WAL space on a real
  disk; this switch fails exactly the statements a full disk fails, inside the real process.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
FAULT_ENV = "NEWSWATCH_FAULT_DISK_FULL"
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|COMMIT|END)\b", re.I)


class DamagedDatabase(RuntimeError):
    """A database file failed its integrity check (the message says which and how)."""


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and parents) if missing; a directory newswatch creates is 0700."""
    path = Path(path)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask
    return path


def _create_private(path: Path) -> None:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
    except FileExistsError:
        return
    os.fchmod(fd, PRIVATE_FILE)
    os.close(fd)


def _disk_full(name: str) -> bool:
    control = os.environ.get(FAULT_ENV)
    if not control:
        return False
    try:
        with open(control, encoding="utf-8") as fh:
            names = {line.strip() for line in fh if line.strip()}
    except OSError:
        return False
    return "*" in names or name in names


class _FaultyConnection(sqlite3.Connection):
    """A connection that fails writes while the test's disk-full switch is on."""

    nw_name = ""

    def _check(self, sql: str) -> None:
        m = _WRITE.match(sql)
        if m is None or not _disk_full(self.nw_name):
            return
        if m.group(1).upper() in ("COMMIT", "END"):
            super().execute("ROLLBACK")  # SQLite may roll back by itself on SQLITE_FULL
            raise sqlite3.OperationalError("database or disk is full")
        if not self.in_transaction:
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self._check(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:  # type: ignore[override]
        self._check(sql)
        return super().executemany(sql, *args)


def connect(
    path: str | os.PathLike[str], *, timeout: float = 30.0, check_same_thread: bool = True,
    wal: bool = True, synchronous: str = "FULL",
) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode (explicit BEGIN/COMMIT), creating it 0600 in a 0700
    directory if it does not exist, with WAL journaling and the given ``synchronous``."""
    path = Path(path)
    private_dir(path.parent)
    _create_private(path)
    faulty = bool(os.environ.get(FAULT_ENV))
    conn = sqlite3.connect(
        path, timeout=timeout, isolation_level=None, check_same_thread=check_same_thread,
        factory=_FaultyConnection if faulty else sqlite3.Connection,
    )
    if faulty:
        conn.nw_name = path.name  # type: ignore[attr-defined]
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
    return conn



class PerThread:
    """One :func:`connect` connection per thread onto ``path`` (SQLite connections are not
    shared between threads); ``options`` are :func:`connect`'s."""

    def __init__(self, path: str | os.PathLike[str], **options: Any) -> None:
        self.path, self.options = Path(path), options
        self._local = threading.local()

    def get(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path, **self.options)
        return conn

    def close(self) -> None:
        """Close the calling thread's connection (the next :meth:`get` opens a new one)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

def rollback(conn: sqlite3.Connection) -> None:
    """ROLLBACK if a transaction is open; never hides the error that made us roll back (SQLite
    may already have rolled back by itself after SQLITE_FULL or SQLITE_IOERR)."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def check(path: str | os.PathLike[str], what: str) -> None:
    """Raise :class:`DamagedDatabase` if ``path`` exists and fails ``PRAGMA quick_check``."""
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(path, timeout=30)  # read-write: a WAL file may need recovery
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        rows = [str(exc)]
    if rows != ["ok"]:
        raise DamagedDatabase(
            f"{what} {path} is damaged (SQLite quick_check: {'; '.join(rows)[:300]})"
        )
