"""A large batch file up and down: through the proxy and directly, its time ratio, and the
proxy's peak memory above what it held before (a 100 MB file should not cost 100s of MB)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .clients import ROUTES, Route, direct_client, proxy_client, upload_kwargs
from .report import table
from .stats import PeakRss

if TYPE_CHECKING:
    from .sections import Bench

# (name, lines, bytes per line): a realistic 100 MB input (~2 KB requests), the 200 MB maximum.
SIZES = (("50,000 lines, 100 MB", 50_000, 2_000), ("100,000 lines, 200 MB", 100_000, 2_000))


def write_input(path: Path, route: Route, model: str, lines: int, line_bytes: int) -> int:
    padding = max(0, line_bytes - len(route.line(0, model)))
    with open(path, "wb") as out:
        for index in range(lines):
            out.write(route.line(index, model, padding))
    return path.stat().st_size


def up_and_down(client, path: Path, extra: dict, proxy_pid: int) -> dict:
    """Seconds to upload the file and to download it again, and the proxy's peak memory
    above where it began during each (the upload is deleted after)."""
    with path.open("rb") as content, PeakRss(proxy_pid) as up:
        started = time.perf_counter()
        uploaded = client.files.create(file=(path.name, content), purpose="batch", **extra)
        upload_s = time.perf_counter() - started
    with PeakRss(proxy_pid) as down:
        started = time.perf_counter()
        client.files.content(uploaded.id).read()
        download_s = time.perf_counter() - started
    client.files.delete(uploaded.id)
    return {
        "upload_s": upload_s,
        "download_s": download_s,
        "upload_peak_above": up.peak - up.before,
        "download_peak_above": down.peak - down.before,
    }


def measure(proxy_url: str, master_key: str, mock_url: str, proxy_pid: int, log, sizes=SIZES) -> list[dict]:
    route = ROUTES[0]
    proxy, direct = proxy_client(proxy_url, master_key), direct_client(route, mock_url)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-files-") as scratch:
        for name, lines, line_bytes in sizes:
            row: dict = {"file": name, "lines": lines}
            for side, client, model in (("direct", direct, route.upstream_model), ("proxy", proxy, route.model)):
                path = Path(scratch) / f"{side}.jsonl"
                row["bytes"] = write_input(path, route, model, lines, line_bytes)
                took = up_and_down(client, path, upload_kwargs(route, side == "proxy"), proxy_pid)
                row[f"{side}_upload_s"], row[f"{side}_download_s"] = (
                    round(took["upload_s"], 2),
                    round(took["download_s"], 2),
                )
                if side == "proxy":
                    for step in ("upload", "download"):
                        row[f"proxy_rss_{step}_above_mib"] = round(took[f"{step}_peak_above"] / 2**20)
                        row[f"{step}_peak_per_file_size"] = round(took[f"{step}_peak_above"] / row["bytes"], 2)
                os.unlink(path)
            row["upload_ratio"] = round(row["proxy_upload_s"] / row["direct_upload_s"], 1)
            row["download_ratio"] = round(row["proxy_download_s"] / row["direct_download_s"], 1)
            rows.append(row)
            log(
                f"  {name}: upload {row['proxy_upload_s']} s vs {row['direct_upload_s']} s direct "
                f"({row['upload_ratio']}x), download {row['proxy_download_s']} s vs {row['direct_download_s']} s; "
                f"proxy peak +{row['proxy_rss_upload_above_mib']} MiB up, "
                f"+{row['proxy_rss_download_above_mib']} MiB down"
            )
    return rows


def bench(b: Bench) -> dict:
    on = b.running
    files = (("2,000 lines, 4 MB", 2_000, 2_000),) if b.options.quick else SIZES
    return {"large_files": measure(on.url, on.master_key, on.mock_url, on.proxy_pid, b.log, files)}


def render(results: dict) -> list[str]:
    if "large_files" not in results:
        return []
    headers = ["file", "MB", "upload proxy s", "direct s", "ratio", "download proxy s", "direct s", "ratio"]
    headers += ["RSS +MiB up (x file)", "RSS +MiB down (x file)"]
    return [
        "",
        "Large batch files (files.create + files.content)",
        table(
            headers,
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
