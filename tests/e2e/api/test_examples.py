"""The README's client example, run as a user runs it: the dev Python, the proxy's URL and a key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from litellm_batch_fixes.paths import ROOT

from ..flows import MODELS


@pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())
def test_batch_roundtrip_example(proxy, model: str) -> None:
    env = {**os.environ, "OPENAI_API_KEY": proxy.master_key, "OPENAI_BASE_URL": proxy.url}
    ran = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "batch_roundtrip.py"), "--model", model, "--timeout", "120"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    printed = ran.stdout.splitlines()
    assert any(line.startswith("output good: 200 Mock reply to: Say hello.") for line in printed), ran.stdout
    assert any(line.startswith("error refused: 400 ") for line in printed), ran.stdout
    assert sum(line.startswith("deleted ") and line.endswith(": True") for line in printed) == 3, ran.stdout
