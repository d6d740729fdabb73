"""Run the benchmark: its own stack (fresh state, PostgreSQL counting statements), each
section in turn, then restarts for the start-up figures; the report at the end."""

from __future__ import annotations

import os
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..build import ensure_build
from ..paths import DEFAULT_CONFIG
from ..stack import Stack
from . import large_files, latency, listing, report, round_trips, startup

SECTIONS = ("latency", "round_trips", "listing", "large_files", "startup")


@dataclass
class Options:
    build: str
    work_dir: Path
    json_path: Path
    sections: tuple[str, ...] = SECTIONS
    requests: int = 40
    restarts: int = 3
    quick: bool = False  # a smoke run: few requests, small sizes, one restart


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, {platform.python_implementation()} {platform.python_version()}"


def _stack(options: Options, log) -> Stack:
    state = options.work_dir / "state"
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)  # PostgreSQL runs as its own user under root
    return Stack(
        state_dir=state,
        config=DEFAULT_CONFIG,
        build=options.build,
        port=0,
        postgres_settings=round_trips.POSTGRES_SETTINGS,
        log=lambda m: log(f"    {m}"),
    )


def run(options: Options, log=print) -> dict:
    if options.quick:
        options.requests, options.restarts = 5, 1
    python = ensure_build(options.build, log)
    shutil.rmtree(options.work_dir / "state", ignore_errors=True)  # the first start is a first start
    results: dict = {
        "build": options.build,
        "machine": machine(),
        "requests_per_figure": options.requests,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    log("• starting the stack (first start)")
    with _stack(options, log) as stack:
        first_start = dict(stack.timings)
        assert stack.proxy and stack.mock_url and stack.database_url, "a started stack has all three"
        args = (stack.url, stack.master_key)
        if "latency" in options.sections:
            log(f"• added latency, {options.requests} requests per figure")
            results["latency"] = latency.measure(*args, stack.mock_url, options.requests, log)
        if "round_trips" in options.sections:
            log("• database statements per operation")
            results["round_trips"] = round_trips.measure(*args, stack.database_url, min(options.requests, 9), log)
        if "listing" in options.sections:
            log("• batches.list by the caller's number of batches (seeded in bulk)")
            results["listing"] = listing.measure(
                *args, stack.database_url, options.requests, log, listing.SIZES[:2] if options.quick else listing.SIZES
            )
        if "large_files" in options.sections:
            log("• large batch files up and down")
            files = (("2,000 lines, 4 MB", 2_000, 2_000),) if options.quick else large_files.SIZES
            results["large_files"] = large_files.measure(*args, stack.mock_url, stack.proxy.process.pid, log, files)
    if "startup" in options.sections:
        log(f"• start-up: {options.restarts} restarts")
        restarts = []
        for _ in range(options.restarts):
            with _stack(options, log) as stack:
                restarts.append(dict(stack.timings))
        imports = [startup.import_seconds(python) for _ in range(options.restarts)]
        proxy_step = f"LiteLLM proxy ({options.build})"
        results["first_start"] = startup.split([first_start], imports, proxy_step)
        results["restart"] = startup.split(restarts, imports, proxy_step)
    print(report.render(results))
    report.write_json(results, options.json_path)
    log(f"\nwritten: {options.json_path}")
    return results
