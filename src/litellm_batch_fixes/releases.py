"""The LiteLLM release lines the project builds, each with its own lock and patch series.

A line is one LiteLLM release: requirements/<lock>.txt pins it (hash-locked) and
patches/<version>/series lists the patches it still needs; requirements/lines.json names them
(Nix reads the same file). `default` (1.80.10) is what every command uses unless told;
`latest` names the newest line.

A `Build` is one build of a line: its series applied (patched), none of it (unpatched), or
all of it but one patch (a leave-one-out build). Its name, `[<version>-]<flavour>` with
flavour patched, unpatched or without-NNNN (the default line's without a version), names
its venv, its tests' ids and its logs; `Build.parse` reads a name where one comes in (an
argument, a test id), and the code passes the Build on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BatchFixesError
from .paths import PATCHES_DIR, REQUIREMENTS_DIR, VENVS_DIR

if TYPE_CHECKING:
    from .patches import Patch

FLAVOURS = ("patched", "unpatched")  # every line's builds
WITHOUT = "without-"  # a leave-one-out build's flavour as its name spells it: without-NNNN


@dataclass(frozen=True)
class ReleaseLine:
    version: str
    lock: str  # requirements/<lock>.txt, or a path for a release `check-release` resolved
    series: str | None  # relative to patches/: <version>/series; None: a release checked unpatched only

    @property
    def lock_path(self) -> Path:
        return Path(self.lock) if self.lock.endswith(".txt") else REQUIREMENTS_DIR / f"{self.lock}.txt"

    @property
    def series_path(self) -> Path | None:
        return PATCHES_DIR / self.series if self.series else None

    @property
    def is_default(self) -> bool:
        return self.version == DEFAULT

    def build(self, flavour: str) -> Build:
        """Its build of a flavour (patched, unpatched or without-NNNN): the build of that name
        on this line. The default line's names are flavours alone, so `./dev setup
        1.108.7-patched` names another line's build, as the unknown-build message offers."""
        return Build.parse(flavour if self.is_default else f"{self.version}-{flavour}")

    def without(self, patch: Patch) -> Build:
        """Its series without this one patch (the leave-one-out build of NNNN-name.patch)."""
        return Build(self, "without", patch.name[:4])


_TABLE = json.loads((REQUIREMENTS_DIR / "lines.json").read_text())
DEFAULT: str = _TABLE["default"]
LATEST: str = _TABLE["latest"]
LINES = {version: ReleaseLine(version, **spec) for version, spec in _TABLE["lines"].items()}
ALIASES = {"default": DEFAULT, "latest": LATEST}


class UnknownLine(BatchFixesError, ValueError):
    pass


def checked_lock(version: str) -> Path:
    """Where `./dev check-release VERSION` keeps the lock it resolved for a release."""
    return VENVS_DIR / "check" / version / "proxy.txt"


def line(name: str) -> ReleaseLine:
    """A line by version, `default` or `latest`; or a release `check-release` resolved."""
    version = ALIASES.get(name, name)
    if version in LINES:
        return LINES[version]
    if checked_lock(version).is_file():
        return ReleaseLine(version, lock=str(checked_lock(version)), series=None)
    raise UnknownLine(
        f"no release line {name!r}: the lines are {', '.join(LINES)} "
        "(or default, latest, all); `./dev check-release VERSION` tells what "
        "the patches do on any other release"
    )


def lines(spec: str) -> list[ReleaseLine]:
    """`all`, or comma-separated line names."""
    if spec.strip() == "all":
        return list(LINES.values())
    return [line(part.strip()) for part in spec.split(",") if part.strip()]


@dataclass(frozen=True)
class Build:
    """A line's patched, unpatched or leave-one-out build; `name` is what it is called."""

    line: ReleaseLine
    flavour: str  # "patched", "unpatched" or "without"
    left_out: str | None = None  # a "without" build's patch number, e.g. "0030"

    @classmethod
    def parse(cls, name: str) -> Build:
        """The build a name names, e.g. patched, without-0030, 1.108.7-unpatched. Whether the
        line's series has the patch a leave-one-out build leaves out is for build.patches_for."""
        head, _, rest = name.partition("-")
        release, flavour = (line(head), rest) if head[:1].isdigit() and rest else (LINES[DEFAULT], name)
        if flavour in FLAVOURS:
            return cls(release, flavour)
        number = flavour.removeprefix(WITHOUT)
        if flavour.startswith(WITHOUT) and len(number) == 4 and number.isdigit():
            return cls(release, "without", number)
        raise UnknownBuild.named(name, release)

    @property
    def name(self) -> str:
        """`[<version>-]<flavour>`: its venv's directory, its tests' ids, its log lines."""
        flavour = WITHOUT + self.left_out if self.left_out else self.flavour
        return flavour if self.line.is_default else f"{self.line.version}-{flavour}"

    def __str__(self) -> str:
        return self.name

    @property
    def is_patched(self) -> bool:
        return self.flavour == "patched"

    @property
    def is_unpatched(self) -> bool:
        return self.flavour == "unpatched"

    @property
    def is_leave_one_out(self) -> bool:
        return self.flavour == "without"


class UnknownBuild(BatchFixesError, ValueError):
    """No line has a build of that name (or, for a release only checked, of that flavour)."""

    @classmethod
    def named(cls, name: str, release: ReleaseLine) -> UnknownBuild:
        if release.series is None:
            return cls(
                f"{release.version} has no patch series (it was only checked): build {Build(release, 'unpatched')}"
            )
        return cls(
            f"unknown build {name!r}: use {', '.join(FLAVOURS)} or {WITHOUT}NNNN for a patch number in "
            f"patches/{release.series}, optionally after a release line (1.108.7-patched)"
        )
