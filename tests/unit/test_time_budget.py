"""The per-test time budget (tests/time_budget.py), run on small suites of its own."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.paths import ROOT

pytest_plugins = ["pytester"]

SUITE = """
import time
import pytest

def test_quick():
    pass

def test_slow():
    time.sleep(0.3)

@pytest.mark.slow_allowed(seconds=5, why="waits for a poller")
def test_slow_but_allowed():
    time.sleep(0.3)

@pytest.mark.xfail(strict=True)
def test_slow_expected_failure():
    time.sleep(0.3)
    assert False

@pytest.mark.xfail(strict=True)
def test_quick_expected_failure():
    assert False
"""


@pytest.fixture(autouse=True)
def plugin_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest('pytest_plugins = ["tests.time_budget"]')
    pytester.makeini("[pytest]\nmarkers =\n    slow_allowed(seconds, why): allowed more\n")
    pytester.makepyfile(SUITE)
    return pytester


def test_a_test_over_the_budget_fails_and_says_how_to_allow_it(suite: pytest.Pytester) -> None:
    result = suite.runpytest_subprocess("--time-budget", "0.2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_slow _*",
            "took 0.* s (passed), over the suite's budget of 0.2 s (--time-budget): make it faster, or mark it "
            '@pytest.mark.slow_allowed(seconds=N, why="...") with the reason it needs more',
            "*_ test_slow_expected_failure _*",
            "took 0.* s (expected failure), over the suite's budget of 0.2 s*",
        ]
    )


def test_a_marked_test_has_its_allowance_and_no_budget_means_none(suite: pytest.Pytester) -> None:
    suite.runpytest_subprocess("--time-budget", "0.2", "-k", "allowed").assert_outcomes(passed=1)
    suite.runpytest_subprocess("--time-budget", "0").assert_outcomes(passed=3, xfailed=2)


def test_a_marker_without_its_reason_is_refused(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.time_budget"]')
    pytester.makepyfile("import pytest\n@pytest.mark.slow_allowed(seconds=5)\ndef test_it():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret != 0
    result.stderr.fnmatch_lines(['*use @pytest.mark.slow_allowed(seconds=N, why="...")*'])
