"""Read a line's patch series (patches/<version>/series) and apply it, quilt style, to an
installed distribution root.

Patch paths are relative to the distribution root (litellm/..., litellm_enterprise/...),
so the same files apply to a venv's site-packages, to an sdist and in Nix's patchPhase.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BatchFixesError


class PatchError(BatchFixesError):
    """A patch in the series does not apply; the message names the patch and the file."""


@dataclass(frozen=True)
class Patch:
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    def touched_files(self) -> list[str]:
        """Files the patch changes, relative to the distribution root."""
        files = []
        for line in self.path.read_text().splitlines():
            if line.startswith("+++ "):
                target = line[4:].split("\t")[0].strip()
                files.append(target[2:] if target.startswith("b/") else target)
        return files

    def header(self) -> dict[str, str]:
        """The DEP-3 header fields (everything before the first diff line)."""
        fields: dict[str, str] = {}
        key = None
        for line in self.path.read_text().splitlines():
            if line.startswith(("--- ", "diff ", "Index: ")):
                break
            match = re.match(r"^([A-Za-z-]+):\s?(.*)$", line)
            if match:
                key = match.group(1)
                fields[key] = match.group(2)
            elif key and line.startswith(" "):
                fields[key] += "\n" + line.strip()
        return fields


def read_series(series: Path) -> list[Patch]:
    """The patches a series file names (entries relative to its directory), in order;
    comments and blank lines ignored. Given a directory, its file `series`."""
    if series.is_dir():
        series = series / "series"
    if not series.is_file():
        raise PatchError(f"{series} not found: the patch series lists the patches to apply")
    patches = []
    for raw in series.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        path = Path(os.path.normpath(series.parent / line.split()[0]))  # ../<line>/ shares a file
        if not path.is_file():
            raise PatchError(f"patches/{series.name} names {line!r}, but {path} does not exist")
        patches.append(Patch(path))
    return patches


def _run_patch(patch: Patch, root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "patch",
            "-p1",
            "--batch",
            "--forward",
            "--no-backup-if-mismatch",
            "-r",
            "-",
            "-d",
            str(root),
            "-i",
            str(patch.path.resolve()),
            *extra,
        ],
        capture_output=True,
        text=True,
    )


def _failure_message(patch: Patch, output: str) -> str:
    reversed_ = "Reversed (or previously applied)" in output
    hint = (
        "it looks applied already (a second apply is refused)"
        if reversed_
        else "the file differs from what the patch expects (is the pinned version installed?)"
    )
    files = ", ".join(patch.touched_files()) or "?"
    return f"patch {patch.name} does not apply to {files}: {hint}\n--- patch output ---\n{output.strip()}"


def copy_touched_files(patches: list[Patch], root: Path, dest: Path) -> None:
    """Copy the files the patches change from a distribution root to dest (once each)."""
    for patch in patches:
        for rel in patch.touched_files():
            src, dst = root / rel, dest / rel
            if src.is_file() and not dst.exists():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)


def dry_run(patch: Patch, root: Path) -> str:
    """How one patch meets a distribution root on its own: "applies" (exactly, no fuzz),
    "applied" (its change is already there) or "conflicts". Touched files are copied to a
    scratch directory first; `patch --dry-run` with reversed detection does the rest."""
    with tempfile.TemporaryDirectory(prefix="patch-probe-") as scratch:
        copy_touched_files([patch], root, Path(scratch))
        exact = _run_patch(patch, Path(scratch), "--dry-run", "--fuzz=0")
        if exact.returncode == 0:
            return "applies"
        reverse = subprocess.run(
            ["patch", "-p1", "--batch", "--dry-run", "-R", "--fuzz=0", "-d", scratch, "-i", str(patch.path.resolve())],
            capture_output=True,
            text=True,
        )
        return "applied" if reverse.returncode == 0 else "conflicts"


def applicable(root: Path, patches: list[Patch]) -> tuple[list[Patch], list[Patch]]:
    """(the patches that apply in order, the ones that don't), tried on a scratch copy: a
    series with one patch left out also loses the later patches written on top of it."""
    kept: list[Patch] = []
    dropped: list[Patch] = []
    with tempfile.TemporaryDirectory(prefix="patch-check-") as scratch:
        scratch_root = Path(scratch)
        copy_touched_files(patches, root, scratch_root)
        for patch in patches:
            if _run_patch(patch, scratch_root, "--dry-run").returncode == 0:
                _run_patch(patch, scratch_root)
                kept.append(patch)
            else:
                dropped.append(patch)
    return kept, dropped


def apply_series(root: Path, patches: list[Patch]) -> None:
    """Dry-run every patch first, then apply them all; nothing changes if one fails."""
    if not patches:
        return
    if shutil.which("patch") is None:
        raise PatchError("the `patch` tool is missing: install Debian's patch package (apt-get install patch)")
    # A dry run of patch N can't see patch N-1's changes, so patches that touch the same
    # file are checked in order on a scratch copy of just the files they touch.
    with tempfile.TemporaryDirectory(prefix="patch-check-") as scratch:
        scratch_root = Path(scratch)
        copy_touched_files(patches, root, scratch_root)
        for patch in patches:
            result = _run_patch(patch, scratch_root)
            if result.returncode != 0:
                raise PatchError(_failure_message(patch, result.stdout + result.stderr))
    for patch in patches:
        result = _run_patch(patch, root)
        if result.returncode != 0:  # cannot happen after a clean check, but never hide it
            raise PatchError(_failure_message(patch, result.stdout + result.stderr))
