"""Added latency: each managed-file and batch operation through the proxy and directly at
the mock, interleaved pair by pair (so both sides meet the same machine noise)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .clients import ROUTES, Route, direct_client, proxy_client, upload_kwargs
from .report import table
from .stats import summary_ms, timed

if TYPE_CHECKING:
    from .sections import Bench

OPERATIONS = (
    "files.create",
    "files.retrieve",
    "files.content",
    "files.delete",
    "batches.create",
    "batches.retrieve",
    "chat.completions",
)


class Side:
    """One side (proxy or direct) of one route: a client, a file and a batch to read."""

    def __init__(self, client, route: Route, through_proxy: bool) -> None:
        self.client, self.route, self.through_proxy = client, route, through_proxy
        self.model = route.model if through_proxy else route.upstream_model
        self.created: list[str] = []  # files.create's files, deleted by files.delete
        self.file_id = self.upload()
        self.batch_id = self.create_batch()

    def upload(self) -> str:
        content = self.route.line(0, self.model)
        file = self.client.files.create(
            file=("bench.jsonl", content), purpose="batch", **upload_kwargs(self.route, self.through_proxy)
        )
        return file.id

    def create_batch(self) -> str:
        return self.client.batches.create(
            input_file_id=self.file_id, endpoint="/v1/chat/completions", completion_window="24h"
        ).id

    def operation(self, name: str) -> Callable[[], object]:
        files, batches = self.client.files, self.client.batches
        return {
            "files.create": lambda: self.created.append(self.upload()),
            "files.retrieve": lambda: files.retrieve(self.file_id),
            "files.content": lambda: files.content(self.file_id).read(),
            "files.delete": lambda: files.delete(self.created.pop()),
            "batches.create": self.create_batch,
            "batches.retrieve": lambda: batches.retrieve(self.batch_id),
            "chat.completions": lambda: self.client.chat.completions.create(
                model=self.model, messages=[{"role": "user", "content": "hello"}]
            ),
        }[name]


def measure(proxy_url: str, master_key: str, mock_url: str, requests: int, log) -> list[dict]:
    rows = []
    for route in ROUTES:
        proxy = Side(proxy_client(proxy_url, master_key), route, through_proxy=True)
        direct = Side(direct_client(route, mock_url), route, through_proxy=False)
        for name in OPERATIONS:
            times: dict[str, list[float]] = {"proxy": [], "direct": []}
            for index in range(requests + 2):  # the first two warm up
                pair = [("proxy", proxy), ("direct", direct)]
                for side_name, side in pair if index % 2 else pair[::-1]:
                    took = timed(side.operation(name))
                    if index >= 2:
                        times[side_name].append(took)
            through, straight = summary_ms(times["proxy"]), summary_ms(times["direct"])
            rows.append(
                {
                    "model": route.model,
                    "operation": name,
                    "proxy": through,
                    "direct": straight,
                    "added_p50_ms": round(through["p50_ms"] - straight["p50_ms"], 2),
                    "added_p95_ms": round(through["p95_ms"] - straight["p95_ms"], 2),
                }
            )
            log(
                f"  {route.model:<24} {name:<17} proxy p50 {through['p50_ms']:7.1f} ms   "
                f"direct p50 {straight['p50_ms']:6.1f} ms"
            )
    return rows


def bench(b: Bench) -> dict:
    on = b.running
    return {"latency": measure(on.url, on.master_key, on.mock_url, b.options.requests, b.log)}


def render(results: dict) -> list[str]:
    if "latency" not in results:
        return []
    return [
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
