"""Start the mock Azure OpenAI / OpenAI server (mock-server/) as a local process."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .processes import Service, http_get_json

# The keys the mock accepts by default and litellm-config.yaml sends (mock-server/README.md).
OPENAI_KEY = "sk-mock-openai-key"
AZURE_KEY = "mock-azure-key"
LISTENING = re.compile(r"mock server listening on (http://\S+)")


def start_mock_server(
    log_path: Path, port: int = 0, step_seconds: float | None = None, state_dir: Path | None = None, timeout: float = 30
) -> Service:
    """`state_dir`: the mock keeps its files and batches there across restarts."""
    env = dict(os.environ)
    if step_seconds is not None:
        env["MOCK_BATCH_STEP_SECONDS"] = str(step_seconds)
    if state_dir is not None:
        env["MOCK_STATE_DIR"] = str(state_dir)
    log_path.unlink(missing_ok=True)
    service = Service.start(
        "mock server",
        [sys.executable, "-m", "mock_openai_server", "--host", "127.0.0.1", "--port", str(port)],
        log_path,
        env=env,
    )

    def listening() -> bool:
        match = LISTENING.search(log_path.read_text(errors="replace"))
        if match:
            service.extra["url"] = match.group(1).rstrip("/")
        return bool(match) and http_get_json(service.extra["url"] + "/__mock__/health") is not None

    service.wait_until(listening, timeout, "listening")
    return service


def upstream_env(mock_url: str) -> dict[str, str]:
    """The variables litellm-config.yaml reads for its mock-backed models."""
    return {
        "MOCK_OPENAI_API_BASE": f"{mock_url}/v1",
        "MOCK_OPENAI_API_KEY": OPENAI_KEY,
        "MOCK_AZURE_API_BASE": mock_url,
        "MOCK_AZURE_API_KEY": AZURE_KEY,
    }
