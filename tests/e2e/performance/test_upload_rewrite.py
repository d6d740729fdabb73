"""0031: a batch upload's model names are rewritten line by line, without copies of the
file. The rewrite is LiteLLM's replace_model_in_jsonl, run here in the proxy's own build,
in isolation: its allocations are counted (tracemalloc, deterministic), not timed; how long
an upload takes through the proxy is `./dev bench`'s figure."""

from __future__ import annotations

import json
import subprocess

import pytest

from litellm_batch_fixes.releases import Build

from ...support import build_python
from ..flows import batch_lines

PROBE = r"""
import json, sys, tracemalloc
from litellm.router_utils.batch_utils import replace_model_in_jsonl
content = sys.stdin.buffer.read()
tracemalloc.start()
out = replace_model_in_jsonl(("input.jsonl", content), "gpt-4o-mini-batch")
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
bad = ("bad.jsonl", b"not json\n" + content[:10_000])
print(json.dumps({"peak": peak, "out": out.read().decode(),
                  "bad_kept": replace_model_in_jsonl(bad, "x") is bad}))
"""


def rewrite_in_build(build: Build, content: bytes) -> dict:
    done = subprocess.run(
        [str(build_python(build)), "-c", PROBE],
        input=content,
        capture_output=True,
        timeout=300,
        check=True,
        env={"LITELLM_LOCAL_MODEL_COST_MAP": "True"},
    )
    return json.loads(done.stdout.decode().splitlines()[-1])


@pytest.mark.patch("0031-batch-upload-rewrite-streams.patch")
def test_a_large_batch_upload_is_rewritten_without_copies_of_the_file(proxy) -> None:
    """Unpatched: 1.80.10 parses the file a character at a time and keeps every row: a
    10 MB upload allocates ~11x its size (and takes 8-20x as long through the proxy)."""
    content = batch_lines("azure-gpt-4o-mini-batch", [f"Say hello {i} " + "." * 400 for i in range(20_000)])
    result = rewrite_in_build(proxy.build, content)
    expected = "\n".join(
        json.dumps({**row, "body": {**row["body"], "model": "gpt-4o-mini-batch"}})
        for row in map(json.loads, content.splitlines())
    )
    assert (result["out"] == expected, result["bad_kept"]) == (True, True)
    assert result["peak"] < 3 * len(content), f"allocated {result['peak'] / len(content):.1f}x the file's size"
