"""A temporary directory that is removed however the process ends.

``tempfile.TemporaryDirectory`` cleans up on return and on exceptions, but not when the process
is killed (SIGKILL, or SIGTERM's default action). A small guard process holds the read end of a
pipe whose write end only we hold: when we exit in any way, the kernel closes it, the guard
reads end-of-file and removes the directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator

_GUARD = (
    "import shutil, sys\n"
    "sys.stdin.buffer.read()\n"
    "shutil.rmtree(sys.argv[1], ignore_errors=True)\n"
)


@contextlib.contextmanager
def guarded_tempdir(prefix: str) -> Iterator[str]:
    path = tempfile.mkdtemp(prefix=prefix)
    read_end, write_end = os.pipe()
    try:
        guard = subprocess.Popen(
            [sys.executable, "-c", _GUARD, path], stdin=read_end, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,  # a Ctrl-C must not kill it first
        )
    except OSError:
        guard = None  # no guard: still removed on a normal exit
    finally:
        os.close(read_end)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(write_end)
        if guard is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                guard.wait(timeout=5)
