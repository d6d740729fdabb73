"""Nix for tests/nix: Debian's nix-bin (2.8) is enough to parse and evaluate our files.

Real nixpkgs is out of reach here, so these tests parse every .nix file, evaluate the
flake's outputs against tests/nix/stub-nixpkgs.nix (a stub) and cross-check the Nix
side with the Python side. A missing `nix` fails them: it is a CI requirement.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from litellm_batch_fixes.paths import ROOT
from litellm_batch_fixes.sandbox_rehearsal import NIX_CONFIG  # no daemon, no store, no sandbox


def nix_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` not found: the Nix tests need Nix (Debian: apt-get install nix-bin)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def nix_env(tmp_path_factory) -> dict[str, str]:
    """An environment that needs no /etc/nix/nix.conf, no daemon and no writable /nix."""
    home = tmp_path_factory.mktemp("nix-home")
    return {
        **os.environ,
        "NIX_CONFIG": NIX_CONFIG,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "NIX_STATE_DIR": str(home / "nix-state"),
        "NIX_LOG_DIR": str(home / "nix-log"),
    }


def run_nix(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([nix_tool(args[0]), *args[1:]], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def evaluate(expression: str, env: dict[str, str], *args: str):
    """A .nix file of tests/nix evaluated to plain data (JSON); args: --argstr NAME VALUE..."""
    # dummy:// computes store paths without a store (read-only evaluation).
    command = ["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", expression, *args]
    result = run_nix(command, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def flake_eval(nix_env) -> dict:
    """flake.nix's outputs evaluated against the stub nixpkgs, as plain data."""
    return evaluate("tests/nix/eval-flake.nix", nix_env)
