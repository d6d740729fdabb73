"""Run the benchmark: its own stack (fresh state, PostgreSQL counting statements), each
chosen section on it in the registry's order (sections.py), then the sections that start
stacks of their own (the restarts of start-up); the report at the end."""

from __future__ import annotations

import dataclasses
import os
import platform
import shutil
import time

from ..build import ensure_build
from ..paths import DEFAULT_CONFIG
from ..stack import Stack
from . import report, round_trips
from .sections import SECTIONS, Bench, Options, Running


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
        "build": options.build.name,
        "machine": machine(),
        "requests_per_figure": options.requests,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    chosen = [SECTIONS[name] for name in SECTIONS if name in options.sections]
    log("• starting the stack (first start)")
    with _stack(options, log) as stack:
        assert stack.proxy and stack.mock_url and stack.database_url, "a started stack has all three"
        running = Running(stack.url, stack.master_key, stack.mock_url, stack.database_url, stack.proxy.process.pid)
        bench = Bench(options, python, running, dict(stack.timings), lambda: _stack(options, log), log)
        for section in (s for s in chosen if not s.own_stacks):
            log(f"• {section.what}")
            results.update(section.measure(bench))
    bench = dataclasses.replace(bench, stack=None)  # that stack has stopped
    for section in (s for s in chosen if s.own_stacks):
        log(f"• {section.what}")
        results.update(section.measure(bench))
    print(report.render(results))
    report.write_json(results, options.json_path)
    log(f"\nwritten: {options.json_path}")
    return results
