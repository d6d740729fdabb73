"""`./dev lint`: the checks it runs, and how it treats a tool that isn't there."""

from __future__ import annotations

import pytest

from litellm_batch_fixes import lint


@pytest.mark.needs_checkout("asks git for the tracked files and finds ./dev and .ci/")
def test_the_shell_scripts_are_found_by_their_first_line() -> None:
    scripts = lint.shell_scripts()
    assert {"dev", ".ci/run", ".ci/container-engine"} <= set(scripts)
    assert not any(name.endswith((".py", ".mjs", ".md")) for name in scripts)


def test_a_missing_tool_is_skipped_on_a_laptop_and_fails_under_ci(monkeypatch) -> None:
    missing = lint.Check("shellcheck", ["no-such-linter-here", "x"], "apt-get install it")
    monkeypatch.setattr(lint, "checks", lambda: [missing])
    said: list[str] = []
    monkeypatch.delenv("CI", raising=False)
    laptop = lint.run(said.append)
    monkeypatch.setenv("CI", "true")
    ci = lint.run(said.append)
    assert (laptop, ci) == (0, 1)
    assert said[0].startswith("- shellcheck: skipped") and "apt-get install it" in said[0]


def test_a_finding_fails_the_run_and_is_shown(monkeypatch) -> None:
    finding = lint.Check("ruff check", ["sh", "-c", "echo 'x.py:1: F401 unused'; exit 1"])
    monkeypatch.setattr(lint, "checks", lambda: [finding])
    said: list[str] = []
    assert lint.run(said.append) == 1
    assert "F401 unused" in said[0] and said[-1].startswith("lint failed: ruff check")
