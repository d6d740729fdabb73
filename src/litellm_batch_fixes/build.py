"""The two builds of LiteLLM's proxy: `patched` (patches/series applied) and `unpatched`.

Both are venvs installed from the same hash-locked requirements/proxy.txt, with the
managed files hook registered (hook-registration/) and a Prisma client generated for
LiteLLM's schema. A fingerprint of every input makes a second `setup` take seconds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from . import prisma_engine
from .paths import HOOK_REGISTRATION_DIR, PATCHES_DIR, REQUIREMENTS_DIR, VENVS_DIR
from .patches import read_series, apply_series

BUILDS = ("patched", "unpatched")
PROXY_LOCK = REQUIREMENTS_DIR / "proxy.txt"
STAMP_NAME = ".litellm-batch-fixes-build"
HOOKS_PTH_NAME = "litellm_batch_fixes_hooks.pth"

Log = Callable[[str], None]


class BuildError(RuntimeError):
    """A build step failed; the message says which and what to do."""


def prebuilt_python(build: str) -> Path | None:
    """A build made elsewhere (Nix) is named by LITELLM_BATCH_FIXES_<BUILD>_PYTHON."""
    value = os.environ.get(f"LITELLM_BATCH_FIXES_{build.upper()}_PYTHON")
    return Path(value) if value else None


def build_python(build: str) -> Path:
    return prebuilt_python(build) or VENVS_DIR / build / "bin" / "python"


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    )
    return Path(out.stdout.strip())


def _inputs(build: str) -> list[Path]:
    # This file too: a change to how a build is made must remake it.
    files = [Path(__file__), PROXY_LOCK, *sorted(HOOK_REGISTRATION_DIR.rglob("*.py"))]
    if build == "patched":
        files += [PATCHES_DIR / "series", *(p.path for p in read_series(PATCHES_DIR))]
    return files


def fingerprint(build: str) -> str:
    digest = hashlib.sha256(f"{build} {sys.version}".encode())
    for path in _inputs(build):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _installer(python: Path) -> list[str]:
    """uv (pinned in the dev lock) when present: ~10x faster than pip for this lock."""
    uv = shutil.which("uv") or (Path(sys.executable).parent / "uv")
    if uv and Path(uv).exists():
        return [str(uv), "pip", "install", "--python", str(python)]
    return [str(python), "-m", "pip", "install", "--no-input"]


def _run_step(what: str, cmd: list[str], log: Log, **kwargs) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise BuildError(f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n{tail}")


def ensure_build(build: str, log: Log = print) -> Path:
    """Create or refresh one build; returns its python. Idempotent."""
    if build not in BUILDS:
        raise BuildError(f"unknown build {build!r}; choose one of {', '.join(BUILDS)}")
    prebuilt = prebuilt_python(build)
    if prebuilt:
        if not prebuilt.exists():
            raise BuildError(f"LITELLM_BATCH_FIXES_{build.upper()}_PYTHON={prebuilt} does not exist")
        return prebuilt

    venv = VENVS_DIR / build
    python = venv / "bin" / "python"
    stamp = venv / STAMP_NAME
    wanted = fingerprint(build)
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted:
        prisma_engine.generate_client(python, site_packages(python) / "litellm/proxy/schema.prisma")
        log(f"{build} build is up to date ({venv})")
        return python

    started = time.monotonic()
    log(f"{build} build: creating {venv} from {PROXY_LOCK.name}")
    shutil.rmtree(venv, ignore_errors=True)
    _run_step("creating the venv", [sys.executable, "-m", "venv", str(venv)], log)
    _run_step("installing the pinned proxy requirements",
              [*_installer(python), "--require-hashes", "-r", str(PROXY_LOCK)], log)
    site = site_packages(python)
    (site / HOOKS_PTH_NAME).write_text(f"{HOOK_REGISTRATION_DIR}\n")
    if build == "patched":
        patches = read_series(PATCHES_DIR)
        log(f"{build} build: applying {len(patches)} patches from patches/series")
        apply_series(site, patches)
    log(f"{build} build: generating the Prisma client for LiteLLM's schema")
    prisma_engine.ensure_bridge_installed()
    prisma_engine.generate_client(python, site / "litellm/proxy/schema.prisma")
    stamp.write_text(wanted)
    log(f"{build} build ready in {time.monotonic() - started:.1f}s ({venv})")
    return python
