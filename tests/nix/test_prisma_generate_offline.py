"""`prisma generate` as nix/litellm.nix runs it needs no network: with the variables
nix/prisma.nix exports (engines named by path), the Prisma CLI downloads nothing.

The build sandbox has no network, so a CLI that fetched an engine would fail the build.
This runs the generate step with the exports the flake's build script has (evaluated against
the stub), files standing in for nixos-23.11's engines, and no network at all (`unshare -n`,
not even loopback). Without those variables the same CLI tries a download and fails, which
the control case shows, so a pass means the variables are what keeps it offline.

The CLI is Prisma 5.4.1 from npm (what nixos-23.11 packages): set LBF_PRISMA_CLI_5_4_1 to a
directory holding node_modules/prisma (`npm install prisma@5.4.1` there, install scripts
off); skipped without it, and when not root (a network namespace needs root).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from litellm_batch_fixes.releases import LINES

from ..support import build_python

ENGINE_HASH_5_4_1 = "2f302df92bd8945e20ad4595a73def5b96afa54f"
EXPORT = re.compile(r"^export (PRISMA_\w+)='?([^'\n]*)'?$", re.M)
# what each engine answers to --version, by file name
ENGINE_NAMES = {"query-engine": "query-engine", "schema-engine": "schema-engine-cli", "prisma-fmt": "prisma-fmt"}


@pytest.fixture(scope="module")
def cli_dir() -> Path:
    given = os.environ.get("LBF_PRISMA_CLI_5_4_1")
    if not given or not (Path(given) / "node_modules" / "prisma" / "build" / "index.js").is_file():
        pytest.skip("set LBF_PRISMA_CLI_5_4_1 to a directory where `npm install prisma@5.4.1` ran")
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("node") is None:
        pytest.skip("needs root, unshare and node (a process without any network)")
    return Path(given)


@pytest.fixture(scope="module")
def generate_env(flake_eval, cli_dir, tmp_path_factory) -> dict[str, str]:
    """The PRISMA_* exports of the default line's build script, their store paths replaced
    by local files: executables that answer --version as 5.4.1's engines do."""
    script = flake_eval["outputs"]["x86_64-linux"]["litellm"]["script"]
    exports = dict(EXPORT.findall(script))
    assert exports["PRISMA_EXPECTED_ENGINE_VERSION"] == ENGINE_HASH_5_4_1
    engines = tmp_path_factory.mktemp("engines")
    for name, answer in ENGINE_NAMES.items():
        engine = engines / "bin" / name
        engine.parent.mkdir(exist_ok=True)
        engine.write_text(f'#!/bin/sh\n[ "$1" = --version ] && echo "{answer} {ENGINE_HASH_5_4_1}" && exit 0\nexit 3\n')
        engine.chmod(0o755)
    (engines / "lib").mkdir()
    (engines / "lib" / "libquery_engine.node").write_text("a stand-in, never loaded\n")
    local = {}
    for name, value in exports.items():
        if "-prisma-engines/" in value:
            local[name] = str(engines / value.split("-prisma-engines/", 1)[1])
        elif "-prisma-cli-cache-" in value:
            local[name] = str(cli_dir)
        else:
            local[name] = value
    assert set(local) >= {"PRISMA_QUERY_ENGINE_BINARY", "PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_BINARY_CACHE_DIR"}
    return local


def generate(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """prisma-client-py's `prisma generate` for LiteLLM's schema, its client written to
    tmp_path (the build's venv stays as it is), in a process without any network."""
    python = build_python(LINES["1.80.10"].build("unpatched"))
    schema = next(python.parent.parent.glob("lib/python3*/site-packages/litellm/proxy/schema.prisma"))
    text = schema.read_text()
    copy = tmp_path / "schema.prisma"
    copy.write_text(
        text.replace('provider = "prisma-client-py"', f'provider = "prisma-client-py"\n  output = "{tmp_path}/client"')
    )
    home = tmp_path / "home"
    home.mkdir()
    command = [str(python), "-m", "prisma", "generate", f"--schema={copy}"]
    base = {"PATH": f"{python.parent}:{os.path.dirname(shutil.which('node') or '')}:/usr/bin:/bin", "HOME": str(home)}
    return subprocess.run(
        ["unshare", "-n", "--", "env", "-i", *(f"{k}={v}" for k, v in {**base, **env}.items()), *command],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_generate_with_the_nix_engine_variables_downloads_nothing(generate_env, tmp_path) -> None:
    result = generate(generate_env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "client" / "client.py").is_file()


def test_without_them_the_cli_would_download_and_fails_offline(generate_env, tmp_path) -> None:
    """The control: the same CLI, the engine paths left out, tries to fetch an engine."""
    kept = {k: v for k, v in generate_env.items() if k in ("PRISMA_BINARY_CACHE_DIR", "PRISMA_EXPECTED_ENGINE_VERSION")}
    result = generate(kept, tmp_path)
    assert result.returncode != 0
    assert "getaddrinfo" in result.stdout + result.stderr
