"""proxy.EXACT_SCHEDULE: the poller and spend-write jobs at their set interval, in a build's Python."""

from __future__ import annotations

import subprocess

from litellm_batch_fixes.build import ensure_build
from litellm_batch_fixes.proxy import JOBS_AT_THEIR_INTERVAL

# What LiteLLM's start-up does (proxy_server.py, both lines), then what the scheduler took.
SCHEDULE_AS_LITELLM_DOES = """
from apscheduler.schedulers.asyncio import AsyncIOScheduler
scheduler = AsyncIOScheduler()
for job, interval in (("check_batch_cost_job", 5 + 30), ("update_spend_job", 1 + 5), ("other_job", 7 + 3)):
    scheduler.add_job(print, "interval", seconds=interval, id=job, replace_existing=True)
print({job.id: job.trigger.interval.total_seconds() for job in scheduler.get_jobs()})
"""


def test_the_poller_and_spend_writes_run_at_their_set_interval_and_nothing_else_changes(release_line) -> None:
    python = ensure_build(release_line.build("unpatched"), log=lambda _: None)
    result = subprocess.run(
        [str(python), "-c", JOBS_AT_THEIR_INTERVAL + SCHEDULE_AS_LITELLM_DOES],
        env={"PROXY_BATCH_POLLING_INTERVAL": "5", "PROXY_BATCH_WRITE_AT": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "{'check_batch_cost_job': 5.0, 'update_spend_job': 1.0, 'other_job': 10.0}"


def test_without_a_set_interval_litellm_keeps_its_own(release_line) -> None:
    python = ensure_build(release_line.build("unpatched"), log=lambda _: None)
    result = subprocess.run(
        [str(python), "-c", JOBS_AT_THEIR_INTERVAL + SCHEDULE_AS_LITELLM_DOES],
        env={},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "{'check_batch_cost_job': 35.0, 'update_spend_job': 6.0, 'other_job': 10.0}"
