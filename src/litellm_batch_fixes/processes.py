"""Child processes the stack starts: started in their own process group, stopped by PID."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BatchFixesError


class StartupError(BatchFixesError):
    """A service did not come up; the message names it, why, and the tail of its log."""


# Below Linux's ephemeral range (32768-60999): a port handed out by bind(0) is often handed
# out again at once, e.g. to the Prisma engine the proxy starts before it binds its own port.
CHOSEN_PORTS = range(20000, 32000)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on now, outside the range the kernel picks from for others."""
    for port in random.sample(CHOSEN_PORTS, 50):
        if not port_in_use(port, host):
            return port
    raise StartupError(f"no free port found on {host} in {CHOSEN_PORTS.start}-{CHOSEN_PORTS.stop - 1}")


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something listens there. SO_REUSEADDR, as servers bind: a port whose old
    connections linger in TIME_WAIT after a stop is free to them, so it is free here too."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


@dataclass
class Service:
    """A started process, its log file, and how to stop it."""

    name: str
    process: subprocess.Popen
    log_path: Path
    extra: dict = field(default_factory=dict)

    @classmethod
    def start(cls, name: str, cmd: list[str], log_path: Path, env: dict[str, str] | None = None) -> Service:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "ab")
        try:
            process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        finally:
            log.close()
        return cls(name, process, log_path)

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll `ready` until it holds; fail fast if the process exits, clearly on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise StartupError(
                    f"{self.name} exited with code {self.process.returncode} before {what}; "
                    f"log {self.log_path}:\n{log_tail(self.log_path)}"
                )
            if ready():
                return
            time.sleep(0.1)
        raise StartupError(
            f"{self.name} was not {what} after {timeout:.0f}s; log {self.log_path}:\n{log_tail(self.log_path)}"
        )

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM to the service's own process group, SIGKILL if it lingers. Also when the
        service itself has exited already: a child of its (the proxy's Prisma engine) may
        still run in its group, and would outlive it."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return  # nothing of the group is left
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        # The service is gone; what else of its group still runs gets a moment, then SIGKILL.
        deadline = time.monotonic() + 5
        while _group_alive(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _group_alive(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def http_get_json(url: str, timeout: float = 2) -> dict | None:
    """The JSON body of a GET, or None while the server is not answering yet."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
        return None
