"""Start-up to ready, split into the stack's steps, and the proxy's step split again into
LiteLLM importing itself and the rest (config, router, database connection)."""

from __future__ import annotations

import os
import statistics
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from ..proxy import IMPORT_APP
from .report import table

if TYPE_CHECKING:
    from .sections import Bench

# The launcher's own import of the app, timed.
IMPORT = "import time; started = time.perf_counter()\n" + IMPORT_APP + "print(time.perf_counter() - started)\n"


def import_seconds(python: Path) -> float:
    """LiteLLM's proxy module imported in a fresh interpreter as the launcher imports it
    (offline price map, the collector paused)."""
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


def bench(b: Bench) -> dict:
    """Restarts of a stack like the benchmark's (warm), and the import alone as often."""
    restarts = []
    for _ in range(b.options.restarts):
        with b.start_stack() as stack:
            restarts.append(dict(stack.timings))
    imports = [import_seconds(b.python) for _ in range(b.options.restarts)]
    proxy_step = f"LiteLLM proxy ({b.options.build})"
    return {"first_start": split([b.first_start], imports, proxy_step), "restart": split(restarts, imports, proxy_step)}


def render(results: dict) -> list[str]:
    parts: list[str] = []
    for key, title in (("first_start", "First start (initdb, migrations)"), ("restart", "Restart (warm)")):
        if key in results:
            s = results[key]
            parts += [
                "",
                f"{title}: ready in {s['ready_s']} s (median of {s['runs']})",
                table(
                    ["step", "s"],
                    [
                        *[[name, secs] for name, secs in s["steps_s"].items()],
                        ["  of the proxy's: LiteLLM importing itself", s["proxy_import_s"]],
                        ["  of the proxy's: the rest (config, router, database)", s["proxy_after_import_s"]],
                    ],
                ),
            ]
    return parts
