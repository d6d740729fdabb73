"""Launch LiteLLM's proxy from a build, pointed at a database that already has its schema.

The proxy's ASGI app is served by uvicorn directly rather than through the `litellm`
CLI: the CLI runs `prisma migrate diff` at start-up, which needs Prisma's native schema
engine and only fails (and costs seconds) here; our migrations step already did its job.

LiteLLM schedules its batch cost poller every PROXY_BATCH_POLLING_INTERVAL seconds plus a
random 0-30 s, and its spend writes every PROXY_BATCH_WRITE_AT plus 0-5 s; it has no
setting for either offset. A test waiting for the poller waits out the worst case, so the
test stacks (`exact_schedule`) start the proxy through EXACT_SCHEDULE: before uvicorn
imports LiteLLM, it makes APScheduler take those two jobs at the interval that was set.
Nothing of LiteLLM's own code or of the build changes; the jobs still run LiteLLM's code.

Either way the app is imported before uvicorn starts (IMPORT_APP), with Python's cyclic
garbage collector paused: importing LiteLLM makes a few million long-lived objects, and
collecting over and over while they are made took 1.4 of the 6.5 CPU-s of a 1.108.7
import (0.5 s on 1.80.10). One collection follows, and gc.freeze() keeps what is left out
of later collections, which would only walk it again.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import prisma_engine
from .processes import Service, http_get_json

# Uvicorn with these jobs at their set interval.
EXACT_JOBS = {"check_batch_cost_job": "PROXY_BATCH_POLLING_INTERVAL", "update_spend_job": "PROXY_BATCH_WRITE_AT"}
JOBS_AT_THEIR_INTERVAL = f"""
import os
from apscheduler.schedulers.base import BaseScheduler

add_job = BaseScheduler.add_job

def add_job_at_its_interval(self, func, trigger=None, *args, **kwargs):
    interval = os.environ.get({EXACT_JOBS!r}.get(kwargs.get("id"), ""))
    if trigger == "interval" and interval:
        kwargs["seconds"] = int(interval)
    return add_job(self, func, trigger, *args, **kwargs)

BaseScheduler.add_job = add_job_at_its_interval
"""
IMPORT_APP = """
import gc
gc.disable()
import litellm.proxy.proxy_server
gc.collect()
gc.freeze()
gc.enable()
"""
RUN_UVICORN = 'import runpy; runpy.run_module("uvicorn", run_name="__main__", alter_sys=True)'
# `python -c <one of these> <uvicorn's arguments>`
PROXY = IMPORT_APP + RUN_UVICORN
EXACT_SCHEDULE = JOBS_AT_THEIR_INTERVAL + PROXY


def proxy_env(
    database_url: str, master_key: str, salt_key: str, config: Path, upstream: dict[str, str], python: Path
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(upstream)
    env.update(prisma_engine.engine_env())
    env.update(
        {
            "DATABASE_URL": database_url,
            "LITELLM_MASTER_KEY": master_key,
            "LITELLM_SALT_KEY": salt_key,
            "CONFIG_FILE_PATH": str(config.resolve()),
            "DISABLE_SCHEMA_UPDATE": "true",
            # The proxy would otherwise download its model price map at start-up.
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "PATH": f"{python.parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    return env


def start_proxy(
    python: Path,
    host: str,
    port: int,
    env: dict[str, str],
    log_path: Path,
    timeout: float = 120,
    exact_schedule: bool = False,
) -> Service:
    """Start the proxy and wait until /health/readiness reports the database connected.
    With `exact_schedule`, the poller and spend writes run at their set interval (tests)."""
    log_path.unlink(missing_ok=True)
    service = Service.start(
        "LiteLLM proxy",
        [
            str(python),
            "-c",
            EXACT_SCHEDULE if exact_schedule else PROXY,
            "litellm.proxy.proxy_server:app",
            "--host",
            host,
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        log_path,
        env=env,
    )
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    service.extra["url"] = url

    def db_connected() -> bool:
        health = http_get_json(f"{url}/health/readiness")
        return health is not None and health.get("db") == "connected"

    service.wait_until(db_connected, timeout, 'ready with "db": "connected" at /health/readiness')
    return service
