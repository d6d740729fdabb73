"""prisma_engine's contract with the launcher, without node, npm or a database."""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path

import pytest

from litellm_batch_fixes import prisma_engine


def fake_python(venv: Path, script: str) -> Path:
    """A venv-shaped directory whose bin/python is a shell script."""
    python = venv / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\n{script}\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return python


def fake_cli(cache_dir: Path, engine_hash: str) -> Path:
    """A PRISMA_BINARY_CACHE_DIR whose CLI bundle names `engine_hash`, as the real one does."""
    bundle = cache_dir / "node_modules" / "prisma" / "build" / "index.js"
    bundle.parent.mkdir(parents=True)
    bundle.write_text(f'var package = {{ prisma: {{ enginesVersion: "{engine_hash}" }} }};\n')
    return cache_dir


@pytest.fixture
def bridge_dir(tmp_path, monkeypatch):
    bridge = fake_cli(tmp_path / "bridge", prisma_engine.DEFAULT_ENGINE_HASH)
    (bridge / "package-lock.json").write_text('{"lockfileVersion": 3}')
    monkeypatch.setattr(prisma_engine, "BRIDGE_DIR", bridge)
    monkeypatch.delenv("PRISMA_BINARY_CACHE_DIR", raising=False)
    monkeypatch.delenv("PRISMA_EXPECTED_ENGINE_VERSION", raising=False)
    return bridge


def test_bridge_dir_defaults_to_the_repo_and_follows_the_env_override(monkeypatch, tmp_path):
    assert (prisma_engine.BRIDGE_DIR / "bin" / "query-engine").is_file()
    monkeypatch.setenv("LITELLM_BATCH_FIXES_PRISMA_BRIDGE", str(tmp_path))
    try:
        assert importlib.reload(prisma_engine).BRIDGE_DIR == tmp_path
    finally:
        monkeypatch.delenv("LITELLM_BATCH_FIXES_PRISMA_BRIDGE")
        importlib.reload(prisma_engine)


def test_engine_env_points_prisma_client_py_at_the_bridge(monkeypatch):
    for name in ("PRISMA_QUERY_ENGINE_BINARY", "PRISMA_SCHEMA_ENGINE_BINARY", "PRISMA_BINARY_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    env = prisma_engine.engine_env()
    assert env["PRISMA_QUERY_ENGINE_BINARY"] == str(prisma_engine.BRIDGE_DIR / "bin" / "query-engine")
    assert env["PRISMA_SCHEMA_ENGINE_BINARY"] == str(prisma_engine.BRIDGE_DIR / "bin" / "schema-engine")
    assert env["PRISMA_BINARY_CACHE_DIR"] == str(prisma_engine.BRIDGE_DIR)
    assert env["PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING"] == "1"


def test_engine_env_keeps_a_native_engine_the_user_chose(monkeypatch):
    monkeypatch.setenv("PRISMA_QUERY_ENGINE_BINARY", "/opt/prisma/query-engine")
    env = prisma_engine.engine_env()
    assert "PRISMA_QUERY_ENGINE_BINARY" not in env
    assert env["PRISMA_BINARY_CACHE_DIR"] == str(prisma_engine.BRIDGE_DIR)


def test_ensure_bridge_installed_asks_for_debian_nodejs_when_missing(bridge_dir, monkeypatch):
    monkeypatch.setattr(prisma_engine.shutil, "which", lambda name: None)
    with pytest.raises(prisma_engine.PrismaBridgeError, match="install Debian's nodejs and npm"):
        prisma_engine.ensure_bridge_installed()


def test_ensure_bridge_installed_skips_npm_when_the_stamp_matches(bridge_dir, monkeypatch):
    (bridge_dir / "node_modules").mkdir(exist_ok=True)
    (bridge_dir / "node_modules" / prisma_engine.INSTALL_STAMP_NAME).write_text(prisma_engine._lockfile_hash())
    monkeypatch.setattr(prisma_engine.subprocess, "run", lambda *a, **k: pytest.fail("npm ci ran"))
    prisma_engine.ensure_bridge_installed()


def test_generate_client_reports_the_tool_output_on_failure(bridge_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(prisma_engine, "ensure_bridge_installed", lambda: None)
    python = fake_python(tmp_path / "venv", 'echo "schema error: boom" >&2; exit 1')
    schema = tmp_path / "schema.prisma"
    schema.write_text("// schema")
    with pytest.raises(prisma_engine.PrismaBridgeError, match="schema error: boom"):
        prisma_engine.generate_client(python, schema)
    assert not (tmp_path / "venv" / prisma_engine.GENERATE_STAMP_NAME).exists()


def test_generate_client_runs_once_per_schema_with_the_venv_on_path(bridge_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(prisma_engine, "ensure_bridge_installed", lambda: None)
    calls = tmp_path / "calls"
    python = fake_python(tmp_path / "venv", f'echo "$PATH|$*|$PRISMA_QUERY_ENGINE_BINARY" >> {calls}')
    schema = tmp_path / "schema.prisma"
    schema.write_text("// v1")
    monkeypatch.delenv("PRISMA_QUERY_ENGINE_BINARY", raising=False)

    prisma_engine.generate_client(python, schema)
    prisma_engine.generate_client(python, schema)
    lines = calls.read_text().splitlines()
    assert len(lines) == 1, "an up-to-date client is not generated again"
    path, args, engine = lines[0].split("|")
    assert path.split(os.pathsep)[0] == str(python.parent)
    assert args.startswith("-m prisma generate --schema=") and args.endswith("/schema.prisma")
    assert engine == str(bridge_dir / "bin" / "query-engine")

    schema.write_text("// v2")
    prisma_engine.generate_client(python, schema)
    assert len(calls.read_text().splitlines()) == 2, "a changed schema is generated again"


SCHEMA = """\
generator client {
  provider      = "prisma-client-py"
  binaryTargets = ["native", "debian-openssl-1.1.x",
                   "linux-musl"]
}

model Row {
  id String @id
}
"""


def test_the_client_is_generated_for_the_native_target_and_names_the_schema(bridge_dir, tmp_path, monkeypatch):
    """With several binaryTargets prisma-client-py runs every baked engine path at each start,
    before it reads PRISMA_QUERY_ENGINE_BINARY: the generator gets the schema without them."""
    monkeypatch.setattr(prisma_engine, "ensure_bridge_installed", lambda: None)
    package = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "prisma"
    given = tmp_path / "given.prisma"
    # the stand-in generator keeps the schema it got and writes a client naming it, as prisma's does
    python = fake_python(
        tmp_path / "venv",
        f'schema="${{4#--schema=}}"; cp "$schema" {given}; mkdir -p {package}; '
        f"echo \"SCHEMA_PATH = Path('$schema')\" > {package}/client.py",
    )
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)

    prisma_engine.generate_client(python, schema)

    assert given.read_text() == SCHEMA.replace(
        '  binaryTargets = ["native", "debian-openssl-1.1.x",\n                   "linux-musl"]\n', ""
    )
    assert (package / "client.py").read_text() == f"SCHEMA_PATH = Path({str(schema)!r})\n"


def test_a_venv_generated_from_the_same_schema_lends_its_client(bridge_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(prisma_engine, "ensure_bridge_installed", lambda: None)
    schema = tmp_path / "schema.prisma"
    schema.write_text("// v1")
    calls = tmp_path / "calls"
    donor_python = fake_python(tmp_path / "donor", f"echo generated >> {calls}")
    package = tmp_path / "donor" / "lib" / "python3.11" / "site-packages" / "prisma"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "client.py").write_text(f"SCHEMA_PATH = '{tmp_path / 'donor'}/lib/schema.prisma'\n")
    prisma_engine.generate_client(donor_python, schema)  # writes the donor's stamp
    python = fake_python(tmp_path / "venv", f"echo generated >> {calls}")

    prisma_engine.generate_client(python, schema, donors=[tmp_path / "donor"])

    assert calls.read_text().splitlines() == ["generated"], "the donor's client is copied, not generated again"
    client = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "prisma" / "client.py"
    assert client.read_text() == f"SCHEMA_PATH = '{tmp_path / 'venv'}/lib/schema.prisma'\n"
    schema.write_text("// v2")
    prisma_engine.generate_client(python, schema, donors=[tmp_path / "donor"])
    assert len(calls.read_text().splitlines()) == 2, "a donor of another schema lends nothing"


def test_the_bridges_cli_carries_the_engine_prisma_client_py_expects():
    prisma_engine.ensure_bridge_installed()
    assert prisma_engine.cli_engine_hashes(prisma_engine.BRIDGE_DIR) == {prisma_engine.DEFAULT_ENGINE_HASH}


def test_generate_refuses_a_cli_of_another_engine_naming_both_hashes(tmp_path, monkeypatch):
    """Nix's Prisma CLI is 5.4.1 (engine 2f302df...): without PRISMA_EXPECTED_ENGINE_VERSION
    prisma-client-py would refuse it mid-generate; we refuse it first, saying what to set."""
    nix_hash = "2f302df92bd8945e20ad4595a73def5b96afa54f"
    monkeypatch.setenv("PRISMA_BINARY_CACHE_DIR", str(fake_cli(tmp_path / "cli", nix_hash)))
    monkeypatch.delenv("PRISMA_EXPECTED_ENGINE_VERSION", raising=False)
    python = fake_python(tmp_path / "venv", 'echo ran > "$(dirname "$0")/ran"')
    schema = tmp_path / "schema.prisma"
    schema.write_text("// schema")
    with pytest.raises(
        prisma_engine.PrismaBridgeError,
        match=f"built for engine {nix_hash}, but prisma-client-py expects "
        f"{prisma_engine.DEFAULT_ENGINE_HASH}.*PRISMA_EXPECTED_ENGINE_VERSION",
    ):
        prisma_engine.run_generate(python, schema)
    assert not (python.parent / "ran").exists()


def test_generate_accepts_the_cli_the_environment_declares(tmp_path, monkeypatch):
    nix_hash = "2f302df92bd8945e20ad4595a73def5b96afa54f"
    monkeypatch.setenv("PRISMA_BINARY_CACHE_DIR", str(fake_cli(tmp_path / "cli", nix_hash)))
    monkeypatch.setenv("PRISMA_EXPECTED_ENGINE_VERSION", nix_hash)
    assert prisma_engine.check_cli_engine(dict(os.environ)) == nix_hash
    monkeypatch.setenv("PRISMA_BINARY_CACHE_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(prisma_engine.PrismaBridgeError, match="no Prisma CLI at"):
        prisma_engine.check_cli_engine(dict(os.environ))
