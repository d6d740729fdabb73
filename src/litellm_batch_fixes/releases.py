"""The LiteLLM release lines the project builds, each with its own lock and patch series.

A line is one LiteLLM release: requirements/<lock>.txt pins it (hash-locked) and
patches/<version>/series lists the patches it still needs; requirements/lines.json names them
(Nix reads the same file). `default` (1.80.10) is what every command uses unless told;
`latest` names the newest line. A build is named `[<version>-]<flavour>` (flavour:
patched, unpatched or without-NNNN); without a version it is the default line's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import BatchFixesError
from .paths import PATCHES_DIR, REQUIREMENTS_DIR, VENVS_DIR


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

    def build(self, flavour: str) -> str:
        """The build name of a flavour on this line (the default line's carry no version)."""
        return flavour if self.is_default else f"{self.version}-{flavour}"


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


def split_build(build: str) -> tuple[ReleaseLine, str]:
    """(line, flavour) of a build name."""
    head, _, rest = build.partition("-")
    if head[:1].isdigit() and rest:
        return line(head), rest
    return LINES[DEFAULT], build
