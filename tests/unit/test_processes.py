"""Stopping a service stops its whole process group, also what outlived the service."""

from __future__ import annotations

import time

from litellm_batch_fixes.processes import Service, _group_alive


def gone_within(group: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _group_alive(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _group_alive(group)


def test_stop_ends_a_child_that_outlived_the_service(tmp_path) -> None:
    """The proxy's Prisma engine is its child: when the proxy had died (killed by a test,
    a crash), stop() saw it gone and left the engine running."""
    service = Service.start("leader", ["sh", "-c", "sleep 60 & exit 0"], tmp_path / "log")
    service.process.wait(10)
    assert _group_alive(service.process.pid)
    service.stop(timeout=2)
    assert gone_within(service.process.pid, 2)


def test_stop_sigkills_a_group_member_that_ignores_sigterm(tmp_path) -> None:
    service = Service.start("leader", ["sh", "-c", "trap '' TERM; sleep 60 & exit 0"], tmp_path / "log")
    service.process.wait(10)
    started = time.monotonic()
    service.stop(timeout=1)
    assert (gone_within(service.process.pid, 2), time.monotonic() - started < 9) == (True, True)
