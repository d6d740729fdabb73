"""`./dev lint`: every static check in one command, as CI and the pre-commit hook run it.

ruff (lint and format), mypy (both configured in pyproject.toml), shellcheck on the shell
scripts, actionlint on the forge workflows, and what of nixfmt's layout can be checked
without nixfmt: width, whitespace, `name = arg: body` split as nixfmt splits it (the checks
live in tests/nix/test_nix_files.py; nixfmt itself runs in `nix flake check`).
The Python tools come from the dev venv's hash-locked requirements; shellcheck from Debian.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .paths import ROOT

PYTHON_PATHS = ["src", "mock-server", "tests"]
NIX_LAYOUT_TESTS = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/nix/test_nix_files.py"]
# Shell scripts are found by their first line, among the files git tracks.
SHELLS = (b"#!/usr/bin/env bash", b"#!/bin/bash", b"#!/bin/sh", b"#!/usr/bin/env sh")


@dataclass(frozen=True)
class Check:
    name: str
    command: list[str]
    install: str = ""  # how to get its tool when it is not there


def tool(name: str) -> str:
    """A tool of the dev venv (beside its Python), else from PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def shell_scripts() -> list[str]:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    names = tracked.stdout.split() if tracked.returncode == 0 else []
    scripts = []
    for name in names:
        path = ROOT / name
        if path.is_file():
            with open(path, "rb") as handle:
                if handle.readline().rstrip().startswith(SHELLS):
                    scripts.append(name)
    return scripts


def checks() -> list[Check]:
    workflows = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    return [
        Check("ruff check", [tool("ruff"), "check", *PYTHON_PATHS]),
        Check("ruff format", [tool("ruff"), "format", "--check", *PYTHON_PATHS]),
        Check("mypy", [tool("mypy")]),
        Check("shellcheck", ["shellcheck", *shell_scripts()], "Debian: apt-get install shellcheck"),
        Check("actionlint", [tool("actionlint"), "-no-color", *workflows]),
        Check("nix files (layout, nixfmt width)", [*NIX_LAYOUT_TESTS, "-k", "layout or width"]),
    ]


def fix() -> None:
    """What ruff can mend itself: the format, and the fixable findings (imports...)."""
    subprocess.run([tool("ruff"), "format", "-q", *PYTHON_PATHS], cwd=ROOT, check=False)
    subprocess.run([tool("ruff"), "check", "-q", "--fix", *PYTHON_PATHS], cwd=ROOT, check=False)


def run(log=print, fix_first: bool = False) -> int:
    """Run every check; 0 when all pass. A missing tool fails under CI and is skipped (and
    said) elsewhere, so a laptop without shellcheck still gets the rest."""
    if fix_first:
        fix()
    failed = []
    for check in checks():
        if not shutil.which(check.command[0]) and not Path(check.command[0]).exists():
            if os.environ.get("CI"):
                failed.append(check.name)
                log(f"✗ {check.name}: {check.command[0]} not found ({check.install})")
            else:
                log(f"- {check.name}: skipped, {check.command[0]} not found ({check.install})")
            continue
        started = time.monotonic()
        result = subprocess.run(check.command, cwd=ROOT, capture_output=True, text=True)
        took = time.monotonic() - started
        if result.returncode == 0:
            log(f"✓ {check.name} ({took:.1f}s)")
        else:
            failed.append(check.name)
            output = (result.stdout + result.stderr).rstrip()
            log(f"✗ {check.name} ({took:.1f}s): {' '.join(check.command[:2])} …\n{output}")
    if failed:
        ruff_failed = any(name.startswith("ruff") for name in failed)
        hint = " (`./dev lint --fix` mends the format and ruff's fixable findings)" if ruff_failed else ""
        log(f"lint failed: {', '.join(failed)}{hint}")
    return 1 if failed else 0
