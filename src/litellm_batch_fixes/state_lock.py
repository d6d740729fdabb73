"""One stack per state directory: an exclusive lock held for the stack's lifetime.

A state directory holds one embedded PostgreSQL, one mock and one set of keys. A second
stack on it would restart the first one's database and mock, and take them down when it
stops, while the first proxy kept answering. The lock is an flock on `state-dir/lock`
(released by the kernel if the holder dies); the file names the holder (pid, url) for the
refusal's message.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from .processes import StartupError


@dataclass
class StateLock:
    path: Path
    fd: int

    def describe(self, url: str) -> None:
        """Say who holds the lock, for a second stack's refusal."""
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"pid {os.getpid()}, {url}\n".encode(), 0)

    def stop(self) -> None:  # a stack's service: stopped last, after what it guarded
        os.close(self.fd)


def lock_state_dir(state_dir: Path) -> StateLock:
    """The state directory's lock, or StartupError naming the stack that holds it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "a stack still starting"
        os.close(fd)
        raise StartupError(
            f"the state directory {state_dir} is in use by another stack ({holder}): "
            "stop that one, or give this one a state directory of its own with --state-dir"
        ) from None
    lock = StateLock(path, fd)
    lock.describe("starting")
    return lock
