"""prisma-client-py 0.11, generated for LiteLLM's schema, against PostgreSQL through prisma-bridge.

Inputs: the patched build's venv and a scratch PostgreSQL (fixtures); the environment
can name others:
  BRIDGE_TEST_PYTHON        python of a venv with the pinned proxy requirements
                            (litellm, litellm-proxy-extras, prisma 0.11.0)
  BRIDGE_TEST_DATABASE_URL  a PostgreSQL database the test may create a schema in

The client is generated with prisma_engine.generate_client (offline), LiteLLM's
migrations are applied to a fresh schema, and prisma_client_scenarios.py runs in
that venv; each test checks one scenario of its report.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from litellm_batch_fixes import prisma_engine

SCENARIOS = Path(__file__).with_name("prisma_client_scenarios.py")


def package_dir(python: str, package: str) -> Path:
    """Where `package` lives in the venv of `python`, found without importing it."""
    code = f"import importlib.util as u; print(u.find_spec({package!r}).submodule_search_locations[0])"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def python() -> str:
    from litellm_batch_fixes.build import ensure_build
    from litellm_batch_fixes.releases import DEFAULT, LINES

    patched = LINES[DEFAULT].build("patched")
    return os.environ.get("BRIDGE_TEST_PYTHON") or str(ensure_build(patched, log=lambda _: None))


@pytest.fixture(scope="module")
def server_url(scratch_postgres) -> str:
    return os.environ.get("BRIDGE_TEST_DATABASE_URL") or scratch_postgres.url


@pytest.fixture(scope="module")
def litellm_schema(python) -> Path:
    return package_dir(python, "litellm") / "proxy" / "schema.prisma"


def with_schema(url: str, schema: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "schema"] + [("schema", schema)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture(scope="module")
def database_url(python, server_url):
    import psycopg

    migrations = package_dir(python, "litellm_proxy_extras") / "migrations"
    schema = f"bridge_pytest_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        for migration in sorted(migrations.glob("*/migration.sql")):
            conn.execute(migration.read_text())
    try:
        yield with_schema(server_url, schema)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="module")
def report(database_url, python, litellm_schema):
    prisma_engine.ensure_bridge_installed()
    prisma_engine.generate_client(Path(python), litellm_schema)
    env = {**os.environ, **prisma_engine.engine_env(), "DATABASE_URL": database_url}
    proc = subprocess.run(
        [python, str(SCENARIOS)], capture_output=True, text=True, env=env, timeout=300, cwd=SCENARIOS.parent
    )
    assert proc.returncode == 0, f"scenario runner failed:\n{proc.stdout}\n{proc.stderr}"
    data = json.loads(proc.stdout)
    print(f"connect {data['connect_s']} s, 200 find_unique {data['timing'].get('find_unique_200_s')} s")
    return data


def scenario(report, name):
    result = report[name]
    assert "error" not in result, result.get("traceback", result)
    return result


def test_generate_client_is_idempotent(report, python, litellm_schema):
    client_file = package_dir(python, "prisma") / "client.py"
    before = client_file.stat().st_mtime_ns
    prisma_engine.generate_client(Path(python), litellm_schema)
    assert client_file.stat().st_mtime_ns == before, "an up-to-date client must not be regenerated"


def test_value_types_round_trip(report):
    result = scenario(report, "value_types")
    assert result["tpm_limit"] == 9007199254740993
    assert result["model_max_budget"] == {"gpt": {"max": 1}}
    assert result["budget_reset_at"] == "2024-01-02T03:04:05.678000+00:00"
    assert result["models"] == ["a", "b"]
    assert result["metadata"] == {"team": "x"}


def test_reads_filters_order_pagination(report):
    result = scenario(report, "reads")
    assert result["page"] == ["rd-2", "rd-1"]
    assert result["first"] == "rd-2"
    assert result["has"] == ["rd-1", "rd-3"]
    assert result["has_some"] == ["rd-0", "rd-2"]
    assert result["distinct"] == ["alias-0", "alias-1"]
    assert result["cursor"] == ["rd-2", "rd-3"]
    assert result["count"] == 4
    assert result["groups"] == [
        {"key_alias": "alias-0", "_sum": {"spend": 2.0}, "_count": {"_all": 2}},
        {"key_alias": "alias-1", "_sum": {"spend": 4.0}, "_count": {"_all": 2}},
    ]
    assert result["missing"] is None


def test_relations_include_and_connect(report):
    result = scenario(report, "relations")
    assert result == {"included_budget": 3.0, "connected_budget": "rel-budget"}


def test_writes(report):
    result = scenario(report, "writes")
    assert result["spend"] == 3.5
    assert result["metadata"] == {"v": 2}
    assert result["upsert"] == ["new", "updated"]
    assert result["update_many"] == 2
    assert result["create_many_skip"] == 1
    assert result["update_missing"] is None
    assert result["delete"] == "wr-3"
    assert result["delete_missing"] is None
    assert result["delete_many"] == 2


def test_spend_log_written_like_litellm(report):
    result = scenario(report, "spend_log_like_litellm")
    assert result == {"count": 1, "metadata": {"user_api_key": "hashed", "tags": ["a"]}, "request_tags": ["a"]}


def test_raw_queries_deserialize(report):
    result = scenario(report, "raw_queries")
    row = result["row"]
    assert row["token"] == "raw-1"
    assert row["spend"] == 1.5
    assert row["models"] == ["x"]
    assert row["metadata"] == {"r": 1}
    assert row["big"] == 9007199254740993
    assert row["created_at"] == "str"
    assert result["tables"] == [{"table_name": "LiteLLM_VerificationToken"}]
    assert result["changed"] == 1
    assert result["spend_after"] == 2.5


def test_errors_map_to_prisma_exceptions(report):
    result = scenario(report, "error_mapping")
    assert result == {
        "unique": "UniqueViolationError",
        "not_found": "RecordNotFoundError",
        "foreign_key": "ForeignKeyViolationError",
        "raw": "RawQueryError",
    }


def test_transactions_and_batches(report):
    result = scenario(report, "transactions")
    assert result == {
        "visible_inside": True,
        "visible_outside_before_commit": False,
        "committed": True,
        "rolled_back": True,
        "batch_max_budget": 4.0,
        "failed_batch": "UniqueViolationError",
        "failed_batch_left_nothing": True,
    }
