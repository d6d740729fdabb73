"""The benchmark's results as a terminal table and a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from .sections import SECTIONS


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths), *map(line, cells[1:])])


def render(results: dict) -> str:
    """The terminal report: a heading, then each section's part in the registry's order."""
    parts = [f"LiteLLM {results['build']} on {results['machine']}"]
    for section in SECTIONS.values():
        parts += section.render(results)
    return "\n".join(parts)


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
