"""Start-up to ready, split into the stack's steps, and the proxy's step split again into
LiteLLM importing itself and the rest (config, router, database connection)."""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path

IMPORT = (
    "import time; started = time.perf_counter(); import litellm.proxy.proxy_server; "
    "print(time.perf_counter() - started)"
)


def import_seconds(python: Path) -> float:
    """LiteLLM's proxy module imported in a fresh interpreter (offline price map, as the
    launcher runs it)."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    out = subprocess.run([str(python), "-c", IMPORT], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def split(runs: list[dict[str, float]], imports: list[float], proxy_step: str) -> dict:
    """Median seconds per step over the runs; the proxy's step less the import time."""
    steps = {name: round(statistics.median(run[name] for run in runs), 2) for name in runs[0]}
    imported = round(statistics.median(imports), 2)
    return {
        "runs": len(runs),
        "ready_s": round(sum(steps.values()), 2),
        "steps_s": steps,
        "proxy_import_s": imported,
        "proxy_after_import_s": round(steps[proxy_step] - imported, 2),
    }
