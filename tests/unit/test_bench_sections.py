"""The benchmark's sections: one registry names each, and its module measures and renders."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from litellm_batch_fixes.bench import report
from litellm_batch_fixes.bench.sections import SECTIONS, Options
from litellm_batch_fixes.releases import DEFAULT, LINES


def test_each_registered_section_has_a_module_that_measures_and_renders() -> None:
    for name, section in SECTIONS.items():
        module = importlib.import_module(f"litellm_batch_fixes.bench.{name}")
        assert list(inspect.signature(module.bench).parameters) == ["b"], name
        assert section.render({}) == [], name  # a section that didn't run says nothing
    assert Options(
        build=LINES[DEFAULT].build("patched"), work_dir=Path("."), json_path=Path("r.json")
    ).sections == tuple(SECTIONS)


def test_the_report_has_each_sections_part_in_the_registrys_order() -> None:
    stats = {"p50_ms": 2.0, "p95_ms": 3.0}
    results = {
        "build": "patched",
        "machine": "2 cores",
        "restart": {
            "runs": 1,
            "ready_s": 6.1,
            "steps_s": {"proxy": 6.1},
            "proxy_import_s": 5,
            "proxy_after_import_s": 1.1,
        },
        "listing": [{"batches": 20, **stats, "ratio_to_smallest": 1.0}],
        "latency": [
            {
                "model": "gpt",
                "operation": "files.retrieve",
                "proxy": stats,
                "direct": stats,
                "added_p50_ms": 0,
                "added_p95_ms": 0,
            }
        ],
    }
    text = report.render(results)
    headings = [
        "LiteLLM patched on 2 cores",
        "Added latency",
        "batches.list(limit=20)",
        "Restart (warm): ready in 6.1 s",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions) and "Database statements" not in text
