"""The builds of LiteLLM's proxy: `patched` (the line's series applied) and `unpatched`.

A third kind, `without-NNNN`, is the series minus the patch numbered NNNN: the suite
runs that patch's regression tests on it to show the patch is needed on its own.
Each release line has these builds; releases.Build names one (`1.108.7-patched` is
another line's), and every function here takes that value, never a name to read.

A line's builds are venvs installed from the same hash-locked requirements/<lock>.txt,
with the managed files hook registered (hook-registration/) and a Prisma client generated
for LiteLLM's schema. A fingerprint of every input makes a second `setup` take seconds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import prisma_engine
from .errors import BatchFixesError
from .patches import Patch, applicable, apply_series, read_series
from .paths import HOOK_REGISTRATION_DIR, VENVS_DIR
from .releases import FLAVOURS, Build, UnknownBuild

STAMP_NAME = ".litellm-batch-fixes-build"
HOOKS_PTH_NAME = "litellm_batch_fixes_hooks.pth"

Log = Callable[[str], None]


class BuildError(BatchFixesError):
    """A build step failed; the message says which and what to do."""


def prebuilt_variable(build: Build) -> str:
    """A build made elsewhere (Nix) is named by LITELLM_BATCH_FIXES_<BUILD>_PYTHON
    (1.108.7-patched: LITELLM_BATCH_FIXES_1_108_7_PATCHED_PYTHON)."""
    name = build.name.upper().replace("-", "_").replace(".", "_")
    return f"LITELLM_BATCH_FIXES_{name}_PYTHON"


def prebuilt_python(build: Build) -> Path | None:
    value = os.environ.get(prebuilt_variable(build))
    return Path(value) if value else None


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(out.stdout.strip())


def lock_for(build: Build) -> Path:
    return build.line.lock_path


def patches_for(build: Build) -> list[Patch]:
    """The patches a build applies, in its line's series order."""
    if build.is_unpatched:
        return []
    if build.line.series_path is None:  # a release check-release resolved: unpatched only
        raise UnknownBuild.named(build.name, build.line)
    series = read_series(build.line.series_path)
    if build.is_patched:
        return series
    kept = [patch for patch in series if build.line.without(patch) != build]
    if len(kept) != len(series) - 1:  # its series has no patch of that number
        raise UnknownBuild.named(build.name, build.line)
    return kept


def _inputs(build: Build) -> list[Path]:
    # This file too: a change to how a build is made must remake it.
    files = [Path(__file__), lock_for(build), *sorted(HOOK_REGISTRATION_DIR.rglob("*.py"))]
    return files + [p.path for p in patches_for(build)]


def fingerprint(build: Build) -> str:
    digest = hashlib.sha256(f"{build.name} {sys.version}".encode())
    for path in _inputs(build):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def uv_command() -> Path | None:
    """uv, pinned in the dev lock: on PATH or beside the running Python (the dev venv)."""
    uv = Path(shutil.which("uv") or Path(sys.executable).parent / "uv")
    return uv if uv.exists() else None


def _installer(python: Path) -> list[str]:
    """uv when present: ~10x faster than pip for this lock."""
    uv = uv_command()
    if uv:
        # Copies, not uv's default hard links into its cache: patches, `prisma generate` and
        # a hand edit in one build must not change the cache and with it every other build.
        return [str(uv), "pip", "install", "--link-mode", "copy", "--python", str(python)]
    return [str(python), "-m", "pip", "install", "--no-input"]


def _run_step(what: str, cmd: list[str], log: Log, **kwargs) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise BuildError(f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n{tail}")


def register_hooks(site: Path, hook_dir: Path = HOOK_REGISTRATION_DIR) -> Path:
    """Put hook-registration/ on the build's path, so LiteLLM finds the managed files hook."""
    pth = site / HOOKS_PTH_NAME
    pth.write_text(f"{hook_dir}\n")
    return pth


def compile_bytecode(python: Path, site: Path) -> None:
    """Byte-compile the whole site-packages with the build's own Python, after the patches
    and the generated client: uv installs without bytecode, so the first start compiled
    ~700 modules, and a read-only Nix store can never keep what a start compiles. Under a
    build with SOURCE_DATE_EPOCH (Nix) py_compile writes hash-checked .pyc, which the
    store's normalised timestamps can't invalidate."""
    _run_step("byte-compiling the build", [str(python), "-m", "compileall", "-q", "-j", "0", str(site)], lambda _: None)


def _up_to_date_unpatched(build: Build) -> Path | None:
    """A leave-one-out build starts as a copy of its line's unpatched venv when that one is
    up to date (same lock, same hooks): a copy takes ~2 s where an install takes ~10, and
    the suite makes one such build per patch."""
    return _up_to_date(build.line.build("unpatched")) if build.is_leave_one_out else None


def _up_to_date(build: Build) -> Path | None:
    """The venv of `build` when it is made here and up to date."""
    stamp = VENVS_DIR / build.name / STAMP_NAME
    if prebuilt_python(build) or not stamp.is_file() or stamp.read_text() != fingerprint(build):
        return None
    return VENVS_DIR / build.name


def _copy_venv(source: Path, venv: Path, private: frozenset[str]) -> None:
    """The venv at `source` as hard links at `venv` (a full copy took ~10 s, and the suite
    makes one such build per patch), with real copies of what a build changes in place:
    the site-packages directories in `private` (the generated Prisma client), the files at
    the top of the venv, of bin/ and of site-packages (stamps, scripts, .pth). Elsewhere
    files are only ever replaced (patch, py_compile), never written into, so the source
    stays as it was. Its interpreter stays a symlink, and its scripts' shebangs and
    activation files name the new place."""
    source_site = site_packages(source / "bin" / "python")
    if not source_site.is_relative_to(source):
        raise BuildError(f"{source} is no venv of its own: its site-packages is {source_site}")
    shutil.copytree(source, venv, symlinks=True, copy_function=os.link)
    site = venv / source_site.relative_to(source)
    for name in private:
        if (source_site / name).is_dir():
            shutil.rmtree(site / name)
            shutil.copytree(source_site / name, site / name, symlinks=True)
    for directory in (venv, venv / "bin", site):
        for path in directory.iterdir():
            if path.is_file() and not path.is_symlink():
                data, mode = path.read_bytes(), path.stat().st_mode
                path.unlink()  # a new file, not the shared one
                if str(source).encode() in data[:4096]:
                    data = data.replace(str(source).encode(), str(venv).encode())
                path.write_bytes(data)
                path.chmod(mode)
    (venv / STAMP_NAME).unlink(missing_ok=True)


# The site-packages directories a leave-one-out build changes in place: prisma-client-py's,
# which `prisma generate` writes into. The files its patches change are replaced, not
# written into: GNU patch writes a new file over the old one's name, as py_compile does.
PRIVATE_DIRECTORIES = frozenset({"prisma"})


def ensure_build(build: Build, log: Log = print) -> Path:
    """Create or refresh one build; returns its python. Idempotent."""
    patches = patches_for(build)
    prebuilt = prebuilt_python(build)
    if prebuilt:
        if not prebuilt.exists():
            raise BuildError(f"{prebuilt_variable(build)}={prebuilt} does not exist")
        return prebuilt

    VENVS_DIR.mkdir(parents=True, exist_ok=True)
    if not os.access(VENVS_DIR, os.W_OK):  # installed read-only (the image): only checked
        return _ensure_venv(build, patches, log)
    # One builder per build at a time: `./dev proxy` and `./dev test` may start together.
    with open(VENVS_DIR / f".{build.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_venv(build, patches, log)


def _ensure_venv(build: Build, patches: list[Patch], log: Log) -> Path:
    venv = VENVS_DIR / build.name
    python = venv / "bin" / "python"
    stamp = venv / STAMP_NAME
    wanted = fingerprint(build)
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted:
        prisma_engine.generate_client(python, site_packages(python) / "litellm/proxy/schema.prisma")
        log(f"{build} build is up to date ({venv})")
        return python

    started = time.monotonic()
    lock = lock_for(build)
    shutil.rmtree(venv, ignore_errors=True)
    unpatched = _up_to_date_unpatched(build)
    if unpatched:
        log(f"{build} build: copying {unpatched}")
        _copy_venv(unpatched, venv, PRIVATE_DIRECTORIES)
    else:
        pins = sum(1 for text in lock.read_text().splitlines() if "==" in text and not text.startswith((" ", "#")))
        log(f"{build} build: creating {venv}: {pins} pinned packages from {lock.name}")
        _run_step("creating the venv", [sys.executable, "-m", "venv", str(venv)], log)
        _run_step(
            "installing the pinned proxy requirements", [*_installer(python), "--require-hashes", "-r", str(lock)], log
        )
    site = site_packages(python)
    register_hooks(site)
    if patches:
        log(f"{build} build: applying {len(patches)} patches from patches/{build.line.series}")
        if build.is_leave_one_out:
            # The later patches written on the left-out one's lines can't apply: they go too.
            patches, dropped = applicable(site, patches)
            if dropped:
                log(f"{build} build: also without {', '.join(p.name[:4] for p in dropped)} (written on top of it)")
        apply_series(site, patches)
    log(f"{build} build: generating the Prisma client for LiteLLM's schema")
    prisma_engine.ensure_bridge_installed()
    # A leave-one-out build's schema is mostly its line's patched or unpatched one.
    siblings = [_up_to_date(build.line.build(flavour)) for flavour in FLAVOURS] if unpatched else []
    donors = [venv for venv in siblings if venv]
    prisma_engine.generate_client(python, site / "litellm/proxy/schema.prisma", donors=donors)
    if not unpatched:  # a copy has the unpatched build's bytecode; patched files recompile
        log(f"{build} build: byte-compiling it")
        compile_bytecode(python, site)
    stamp.write_text(wanted)
    log(f"{build} build ready in {time.monotonic() - started:.1f}s ({venv})")
    return python
