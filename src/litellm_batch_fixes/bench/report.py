"""The benchmark's results as a terminal table and a JSON file."""

from __future__ import annotations

import json
from pathlib import Path


def table(headers: list[str], rows: list[list]) -> str:
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    return "\n".join([line(cells[0]), "  ".join("-" * w for w in widths), *map(line, cells[1:])])


def render(results: dict) -> str:
    parts = [f"LiteLLM {results['build']} on {results['machine']}"]
    if "latency" in results:
        parts += [
            "",
            "Added latency (proxy vs the mock directly, ms)",
            table(
                ["model", "operation", "proxy p50", "direct p50", "added p50", "proxy p95", "added p95"],
                [
                    [
                        r["model"],
                        r["operation"],
                        r["proxy"]["p50_ms"],
                        r["direct"]["p50_ms"],
                        r["added_p50_ms"],
                        r["proxy"]["p95_ms"],
                        r["added_p95_ms"],
                    ]
                    for r in results["latency"]
                ],
            ),
        ]
    if "round_trips" in results:
        parts += [
            "",
            "Database statements per operation (pg_stat_statements, median)",
            table(
                ["model", "operation", "engine", "statements", "min-max"],
                [
                    [r["model"], r["operation"], r["engine"], r["statements"], f"{r['min']}-{r['max']}"]
                    for r in results["round_trips"]
                ],
            ),
        ]
    if "listing" in results:
        parts += [
            "",
            "batches.list(limit=20) by the caller's number of batches",
            table(
                ["batches", "p50 ms", "p95 ms", "x the smallest"],
                [[r["batches"], r["p50_ms"], r["p95_ms"], r["ratio_to_smallest"]] for r in results["listing"]],
            ),
        ]
    if "large_files" in results:
        parts += [
            "",
            "Large batch files (files.create + files.content)",
            table(
                [
                    "file",
                    "MB",
                    "upload proxy s",
                    "direct s",
                    "ratio",
                    "download proxy s",
                    "direct s",
                    "ratio",
                    "RSS +MiB up (x file)",
                    "RSS +MiB down (x file)",
                ],
                [
                    [
                        r["file"],
                        round(r["bytes"] / 1e6),
                        r["proxy_upload_s"],
                        r["direct_upload_s"],
                        r["upload_ratio"],
                        r["proxy_download_s"],
                        r["direct_download_s"],
                        r["download_ratio"],
                        f"{r['proxy_rss_upload_above_mib']} ({r['upload_peak_per_file_size']})",
                        f"{r['proxy_rss_download_above_mib']} ({r['download_peak_per_file_size']})",
                    ]
                    for r in results["large_files"]
                ],
            ),
        ]
    for key, title in (("first_start", "First start (initdb, migrations)"), ("restart", "Restart (warm)")):
        if key in results:
            s = results[key]
            parts += [
                "",
                f"{title}: ready in {s['ready_s']} s (median of {s['runs']})",
                table(
                    ["step", "s"],
                    [
                        *[[name, secs] for name, secs in s["steps_s"].items()],
                        ["  of the proxy's: LiteLLM importing itself", s["proxy_import_s"]],
                        ["  of the proxy's: the rest (config, router, database)", s["proxy_after_import_s"]],
                    ],
                ),
            ]
    return "\n".join(parts)


def write_json(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
