"""prisma-bridge's own Node tests (node --test), against the scratch PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess

from litellm_batch_fixes import prisma_engine


def test_bridge_node_suite_passes(scratch_postgres) -> None:
    node = shutil.which("node")
    assert node, "node not found: install Debian's nodejs"
    prisma_engine.ensure_bridge_installed()
    tests = sorted(
        str(p.relative_to(prisma_engine.BRIDGE_DIR)) for p in (prisma_engine.BRIDGE_DIR / "test").glob("*.test.mjs")
    )
    assert tests, "prisma-bridge/test has no *.test.mjs"
    env = {**os.environ, "BRIDGE_TEST_DATABASE_URL": scratch_postgres.url}
    result = subprocess.run(
        [node, "--test", *tests], cwd=prisma_engine.BRIDGE_DIR, env=env, capture_output=True, text=True, timeout=600
    )
    summary = [line for line in result.stdout.splitlines() if line.startswith(("# pass", "# fail"))]
    assert result.returncode == 0, f"node --test failed {summary}:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"
    assert "# fail 0" in summary
