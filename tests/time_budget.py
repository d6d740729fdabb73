"""A time budget per test: a test whose call takes longer than the budget fails, so a slow
newcomer is seen the day it lands rather than in the CI total weeks later.

The budget is `--time-budget` seconds (env LBF_TEST_TIME_BUDGET; default 60; 0 turns it
off) for a test's call phase, whatever its outcome would have been: a strict expected
failure that waits out a deadline is as slow as a pass. Setup is not counted (the first
test of a module pays for the stacks its fixtures start). A test allowed more says how
much and why:

    @pytest.mark.slow_allowed(seconds=150, why="waits for LiteLLM's cost poller twice")
"""

from __future__ import annotations

import os

import pytest

DEFAULT_BUDGET = 60.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("litellm-batch-fixes").addoption(
        "--time-budget",
        type=float,
        default=float(os.environ.get("LBF_TEST_TIME_BUDGET", DEFAULT_BUDGET)),
        help="seconds a test's call may take unless marked slow_allowed "
        f"(env LBF_TEST_TIME_BUDGET; default {DEFAULT_BUDGET:g}; 0: no budget)",
    )


def allowance(item: pytest.Item) -> tuple[float, str]:
    """(seconds, why) the test may take; (0, ...) when there is no budget."""
    budget = item.config.getoption("--time-budget")
    marker = item.get_closest_marker("slow_allowed")
    if not budget or marker is None:
        return budget, f"the suite's budget of {budget:g} s (--time-budget)"
    seconds, why = marker.kwargs.get("seconds"), marker.kwargs.get("why")
    if not isinstance(seconds, int | float) or not why or marker.args:
        raise pytest.UsageError(f'{item.nodeid}: use @pytest.mark.slow_allowed(seconds=N, why="...")')
    return max(seconds, budget), f"its allowance of {seconds:g} s ({why})"


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: sees the report after xfail has judged it
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when != "call" or report.failed:
        return report
    seconds, what = allowance(item)
    if seconds and report.duration > seconds:
        outcome = "expected failure" if hasattr(report, "wasxfail") else report.outcome
        report.outcome = "failed"
        report.longrepr = (
            f"took {report.duration:.1f} s ({outcome}), over {what}: make it faster, or mark it "
            '@pytest.mark.slow_allowed(seconds=N, why="...") with the reason it needs more'
        )
        if hasattr(report, "wasxfail"):
            del report.wasxfail
    return report
