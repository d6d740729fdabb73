"""`./dev bench --quick` on each line's patched build: every section runs and reports a
figure (figures are the benchmark's to print, never a test's to judge)."""

from __future__ import annotations

import json

import pytest

from litellm_batch_fixes.bench.runner import run
from litellm_batch_fixes.bench.sections import SECTIONS, Options


@pytest.mark.slow_allowed(seconds=240, why="the quick benchmark starts a stack, restarts its proxy, moves large files")
def test_the_benchmark_reports_every_figure(patched_build, state_dir, tmp_path) -> None:
    results = run(
        Options(build=patched_build, work_dir=state_dir, json_path=tmp_path / "bench.json", quick=True),
        log=lambda _: None,
    )
    written = json.loads((tmp_path / "bench.json").read_text())
    latency_ops = {(row["model"], row["operation"]) for row in written["latency"]}
    assert (
        written == json.loads(json.dumps(results)),
        len(latency_ops),
        {row["batches"] for row in written["listing"]},
        all(row["proxy"]["p50_ms"] > 0 and row["direct"]["p50_ms"] > 0 for row in written["latency"]),
        all(row["statements"] >= 1 for row in written["round_trips"] if row["operation"] != "chat.completions"),
        [
            row["upload_ratio"] > 0 and row["proxy_rss_upload_above_mib"] >= 0 <= row["proxy_rss_download_above_mib"]
            for row in written["large_files"]
        ],
        written["restart"]["proxy_import_s"] > 0 and written["restart"]["ready_s"] > 0,
    ) == (True, 14, {20, 200}, True, True, [True], True)
    assert set(SECTIONS) - {"startup"} <= set(written)
