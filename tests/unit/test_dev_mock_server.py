"""`./dev mock-server` stops when it is told to: SIGTERM or SIGINT to the command reaches
the server, which exits and frees its port (it used to wait on a child that kept serving)."""

from __future__ import annotations

import signal
import subprocess
import time

import httpx
import pytest

from litellm_batch_fixes.paths import ROOT
from litellm_batch_fixes.processes import free_port, port_in_use

pytestmark = pytest.mark.needs_checkout("runs ./dev, which the Nix source leaves out")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_mock_server_command_stops_on_a_signal(signum: signal.Signals) -> None:
    port = free_port()
    command = subprocess.Popen(
        [str(ROOT / "dev"), "mock-server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_in_use(port):
            assert command.poll() is None and time.monotonic() < deadline, "the mock never listened"
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/__mock__/health", timeout=5).status_code == 200
        command.send_signal(signum)
        assert command.wait(timeout=15) is not None
        assert not port_in_use(port), "the server still listens after the command exited"
    finally:
        if command.poll() is None:
            command.kill()
