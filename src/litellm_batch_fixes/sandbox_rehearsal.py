"""`./dev sandbox-rehearsal`: each flake check's command, run as Nix's build sandbox would run it.

Nix can't build the flake on these machines (no nixpkgs), so a check that only fails in the
sandbox (it needs `./dev`, git, the network, a writable source or `/usr/bin/env`) would first
fail on a forge. This runs the same commands here first. What each check's derivation runs
is read from the flake itself, evaluated against the stub nixpkgs (tests/nix/eval-flake.nix):
its script, with the stub's store paths replaced by the local builds ./dev setup made. It
runs in conditions close to the sandbox:

- the source is a read-only copy of exactly the files nix/source.nix selects (its filter,
  nix/source-filter.nix, evaluated over the tracked files: tests/nix/source-files.nix);
- a fresh network namespace with only loopback, a private mount namespace in which the
  checkout is hidden (only the venvs and the Prisma bridge stay, read-only), `/usr/bin/env`
  and git unusable;
- uid 1000 (nixbld, gid 100, in the sandbox's own /etc/passwd and /etc/group), `env -i` with
  only the variables the derivation has (PATH of stdenv's tools and the check's inputs,
  HOME=/homeless-shelter, TMPDIR, out...).

Stand-ins (the differences that remain): Debian's PostgreSQL for nixpkgs', ./dev's venvs for
the Nix-built ones (the dev venv also for the mock server's), prisma-bridge for the native
engines, Debian's tools for stdenv's; /tmp, /usr and the rest of the host stay visible.
`formatting` runs the layout checks nixfmt would also make (nixfmt is in no registry here);
`nixos-vm` needs NixOS and is not rehearsed; `e2e` runs a selection (--e2e-select) to keep
the rehearsal short. It needs root (namespaces, mounts): CI runs it as root.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .errors import BatchFixesError
from .paths import ROOT, VENVS_DIR
from .prisma_engine import BRIDGE_DIR
from .releases import FLAVOURS, LINES
from .sandbox import BUILDER_UID, SYSTEM, Log, Rehearsal, Sandbox

NIX_CONFIG = "\n".join(
    ["experimental-features = nix-command flakes", "build-users-group =", "substituters =", "sandbox = false"]
)
STUB_PATH = re.compile(r"/nix/store/0{32}-stub-(?:main|prisma)-([A-Za-z0-9._+-]+?)(?=/|'|\"|\s|$)")
SOURCE_PATH = re.compile(r"/nix/store/[0-9a-z]{32}-litellm-batch-fixes-source")


class RehearsalError(BatchFixesError):
    """The rehearsal could not be set up (not a check failing)."""


def nix_eval(expression: str, *args: str) -> object:
    """A .nix file of tests/nix evaluated to JSON with Debian's nix-bin, no store needed."""
    if shutil.which("nix-instantiate") is None:
        raise RehearsalError(
            "nix-instantiate not found: Debian's nix-bin evaluates the flake (apt-get install nix-bin)"
        )
    with tempfile.TemporaryDirectory(prefix="lbf-nix-home-") as home:
        env = {**os.environ, "NIX_CONFIG": NIX_CONFIG, "HOME": home, "NIX_STATE_DIR": f"{home}/state"}
        command = ["nix-instantiate", "--store", "dummy://", "--eval", "--strict", "--json", expression, *args]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RehearsalError(f"nix-instantiate {expression} failed:\n{result.stderr}")
    return json.loads(result.stdout)


def source_files() -> list[str]:
    """What nix/source.nix copies: its filter over the tracked files (a flake's source)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("\n".join(tracked_files()) + "\n")
        listing.flush()
        files = nix_eval("tests/nix/source-files.nix", "--argstr", "list", listing.name)
    assert isinstance(files, list)
    return files


def tracked_files() -> list[str]:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if tracked.returncode != 0:
        raise RehearsalError("git ls-files failed: the rehearsal copies the tracked files of a git checkout")
    return [name for name in tracked.stdout.decode().split("\0") if name]


def is_formatted(name: str) -> bool:
    """Whether checks.formatting gives the file to nixfmt (nix/checks/formatting.nix)."""
    *dirs, base = name.split("/")
    return base.endswith(".nix") and not any(d.startswith(".") or d == "node_modules" for d in dirs)


def stand_ins(engines: Path) -> dict[str, Path]:
    """Stub package name -> the local directory that plays it."""
    places = {
        "litellm-batch-fixes-dev-python": VENVS_DIR / "dev",
        "mock-openai-server": VENVS_DIR / "dev",
        "prisma-engines": engines,
    }
    for release in LINES.values():
        for flavour in FLAVOURS:
            places[f"litellm-{release.version}-{flavour}"] = VENVS_DIR / release.build(flavour).name
    return places


def localize(script: str, places: dict[str, Path], source: Path) -> str:
    """The stub's store paths replaced by the local stand-ins; an unknown one is an error."""
    unknown = sorted({m for m in STUB_PATH.findall(script) if m not in places})
    if unknown:
        raise RehearsalError(f"no local stand-in for {', '.join(unknown)}: add it to sandbox_rehearsal.stand_ins")
    script = STUB_PATH.sub(lambda m: str(places[m.group(1)]), script)
    return SOURCE_PATH.sub(str(source), script)


def rehearsals(flake: dict, e2e_select: str) -> list[Rehearsal]:
    checks = flake["checks"]
    known = {"series", "unit", "e2e", "formatting", "nixos-vm"}
    if set(checks) != known:
        raise RehearsalError(f"the flake's checks are {sorted(checks)}; the rehearsal knows {sorted(known)}")
    launcher = flake["proxy"]["text"]
    return [
        Rehearsal("series", checks["series"]["script"], inputs=checks["series"]["nativeBuildInputs"]),
        Rehearsal("unit", checks["unit"]["script"], inputs=checks["unit"]["nativeBuildInputs"]),
        Rehearsal(
            "e2e",
            checks["e2e"]["script"],
            note=f"a selection: PYTEST_ADDOPTS={e2e_select!r}",
            env={"PYTEST_ADDOPTS": e2e_select},
            inputs=checks["e2e"]["nativeBuildInputs"],
        ),
        Rehearsal(
            "formatting",
            "cd $nix_files\n"
            "export LITELLM_BATCH_FIXES_ROOT=$nix_files PYTHONPATH=$nix_files/src PYTHONDONTWRITEBYTECODE=1\n"
            "$python -m pytest -p no:cacheprovider -q tests/nix/test_nix_files.py -k 'layout or width'\n"
            "touch $out\n",
            note="stand-in: the layout and width checks nixfmt would also make (no nixfmt here)",
        ),
        Rehearsal(
            "apps.proxy",
            launcher,
            note="the launcher with --help, from the read-only source",
            args=["--help"],
            # writeShellApplication puts its runtimeInputs on PATH before the text
            inputs=flake["proxy"]["runtimeInputs"],
        ),
    ]


def rehearse(
    only: list[str] | None = None,
    e2e_select: str = "-k lifecycle",
    log: Log = print,
    keep: bool = False,
) -> int:
    """Every rehearsal in turn; 0 when all passed. A table of checks and times at the end."""
    if os.geteuid() != 0:
        raise RehearsalError("the rehearsal needs root (namespaces and mounts); CI runs it as root")
    missing = [d for d in (VENVS_DIR / "dev", BRIDGE_DIR / "node_modules") if not d.is_dir()]
    if missing:
        raise RehearsalError(f"{', '.join(map(str, missing))} missing: run ./dev setup --litellm all first")
    started = time.monotonic()
    flake = nix_eval("tests/nix/eval-flake.nix")["outputs"][SYSTEM]  # type: ignore[index]
    with tempfile.TemporaryDirectory(prefix="lbf-sandbox-") as work:
        nix_file_names = [name for name in tracked_files() if is_formatted(name)]
        sandbox = Sandbox(Path(work), source_files(), nix_file_names, log, keep)
        sandbox.prepare()
        places = stand_ins(sandbox.engines)
        log(f"source: {len(sandbox.files)} files (nix/source-filter.nix), read-only, uid {BUILDER_UID}, no network")
        results = []
        for rehearsal in rehearsals(flake, e2e_select):
            if only and rehearsal.check not in only:
                continue
            rehearsal.script = localize(rehearsal.script, places, sandbox.source)
            label = rehearsal.check if "." in rehearsal.check else f"checks.{rehearsal.check}"
            log(f"\n--- {label} in a sandbox imitation{f' ({rehearsal.note})' if rehearsal.note else ''}")
            begun = time.monotonic()
            status = sandbox.run(rehearsal)
            results.append((label, status, time.monotonic() - begun))
        for path in [Path(work), *Path(work).rglob("*")]:  # writable again, so it can be removed
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
    log("\nNix check        rehearsal  seconds")
    for label, status, took in results:
        log(f"{label:<16} {'passed' if status == 0 else f'FAILED ({status})':<10} {took:7.1f}")
    log("checks.nixos-vm  not rehearsed (needs NixOS; runs in the forge workflow)")
    failed = sum(1 for _, status, _ in results if status != 0)
    # one line like pytest's last, which .ci/run's table takes
    log(f"rehearsals: {len(results) - failed} passed, {failed} failed in {time.monotonic() - started:.1f}s")
    return 1 if failed else 0
