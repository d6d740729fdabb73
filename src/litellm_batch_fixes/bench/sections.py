"""The benchmark's sections, registered in this one place. A section carries its name (for
`--only`, and its module's), what it measures (the help and the progress line), and
whether it starts stacks of its own. Its module measures (`bench(Bench) -> dict`, the
results it adds) and renders its part of the report (`render(results) -> lines`). Adding a
section is such a module and one entry in SECTIONS."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..releases import Build
    from ..stack import Stack


@dataclass
class Options:
    build: Build
    work_dir: Path
    json_path: Path
    sections: tuple[str, ...] = field(default_factory=lambda: tuple(SECTIONS))  # names, run in SECTIONS' order
    requests: int = 40
    restarts: int = 3
    quick: bool = False  # a smoke run: few requests, small sizes, one restart


@dataclass(frozen=True)
class Running:
    """The benchmark's stack, started: where its proxy, mock and database answer."""

    url: str
    master_key: str
    mock_url: str
    database_url: str
    proxy_pid: int


@dataclass(frozen=True)
class Bench:
    """What a section measures with: the options, the build's Python, the running stack
    (None for the sections that start stacks of their own), the first start's timings,
    a way to start another stack like it, and the log."""

    options: Options
    python: Path
    stack: Running | None
    first_start: dict[str, float]
    start_stack: Callable[[], Stack]
    log: Callable[[str], None]

    @property
    def running(self) -> Running:
        if self.stack is None:
            raise RuntimeError("a section on the shared stack ran without it")
        return self.stack


@dataclass(frozen=True)
class Section:
    name: str  # also its module's
    what: str  # what it measures: --only's help and the progress line
    own_stacks: bool = False  # runs after the shared stack stopped, starting its own

    def measure(self, bench: Bench) -> dict:
        """The results it adds, by key."""
        return self._module().bench(bench)

    def render(self, results: dict) -> list[str]:
        """Its lines of the report, from all the results (none if it didn't run)."""
        return self._module().render(results)

    def _module(self):
        # Imported when used: the sections' clients (openai...) would slow every ./dev --help.
        return importlib.import_module(f"{__package__}.{self.name}")


SECTIONS: dict[str, Section] = {
    section.name: section
    for section in (
        Section("latency", "added latency per operation, proxy vs the mock directly"),
        Section("round_trips", "database statements per operation"),
        Section("listing", "batches.list by the caller's number of batches"),
        Section("large_files", "large batch files up and down"),
        Section("startup", "start-up to ready, first and warm restarts", own_stacks=True),
    )
}
