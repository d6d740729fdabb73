"""Schema migrations: all applied in order, recorded as Prisma records them, idempotent."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from litellm_batch_fixes.migrations import MigrationError, apply_migrations, find_migrations, target_of

from ..conftest import fresh_database


@pytest.fixture
def database(scratch_postgres, request):
    name = "mig_" + request.node.name[-40:].lower().replace("[", "_").replace("]", "")
    return fresh_database(scratch_postgres.url, name)


@pytest.fixture
def migrations_dir(pristine_site_packages):
    return pristine_site_packages / "litellm_proxy_extras" / "migrations"


def test_all_migrations_apply_once_and_are_recorded_like_prisma(database, migrations_dir) -> None:
    expected = find_migrations(migrations_dir)
    assert len(expected) > 50
    assert apply_migrations(database, migrations_dir) == [m.name for m in expected]
    assert apply_migrations(database, migrations_dir) == []
    with psycopg.connect(database) as conn:
        rows = conn.execute(
            "SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL "
            'FROM "_prisma_migrations" ORDER BY migration_name'
        ).fetchall()
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
    assert rows == [(m.name, hashlib.sha256(m.sql.encode()).hexdigest(), 1, True) for m in expected]
    assert {"LiteLLM_ManagedFileTable", "LiteLLM_ManagedObjectTable"} <= tables


def test_a_migration_changed_since_it_was_applied_stays_applied_and_is_reported(
    database, migrations_dir, tmp_path
) -> None:
    """Newer LiteLLM releases edit old migrations (IF NOT EXISTS); a database they upgrade
    must not be refused, nor the migration run twice (prisma migrate deploy does the same)."""
    apply_migrations(database, migrations_dir)
    changed = tmp_path / "migrations"
    shutil.copytree(migrations_dir, changed)
    first = sorted(changed.iterdir())[0] / "migration.sql"
    first.write_text(first.read_text() + "\n-- edited\n")
    notes: list[str] = []
    assert apply_migrations(database, changed, warn=notes.append) == []
    assert len(notes) == 1 and first.parent.name in notes[0] and "kept as applied" in notes[0]


def test_a_failing_migration_is_named_and_not_recorded(database, tmp_path) -> None:
    migrations = tmp_path / "migrations"
    write_migration(migrations, "001_broken", "CREATE TABLE nope (;\n")
    with pytest.raises(MigrationError, match="001_broken"):
        apply_migrations(database, migrations)
    with psycopg.connect(database) as conn:
        assert conn.execute('SELECT count(*) FROM "_prisma_migrations"').fetchone() == (0,)


def test_dev_migrate_applies_the_schema_once_for_a_service_manager(database) -> None:
    """`./dev migrate` (the NixOS module's oneshot before the proxy): DATABASE_URL only."""
    command = [sys.executable, "-m", "litellm_batch_fixes", "migrate"]
    first = subprocess.run(command, env={**os.environ, "DATABASE_URL": database}, capture_output=True, text=True)
    again = subprocess.run(command, env={**os.environ, "DATABASE_URL": database}, capture_output=True, text=True)
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert re.search(r"^([1-9]\d*) migrations applied now", first.stdout, re.M)
    assert re.search(r"^0 migrations applied now", again.stdout, re.M)
    missing = subprocess.run(
        command, env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, capture_output=True, text=True
    )
    assert missing.returncode == 2 and "DATABASE_URL is not set" in missing.stderr


def write_migration(root, name: str, sql: str) -> None:
    (root / name).mkdir(parents=True)
    (root / name / "migration.sql").write_text(sql)


def test_concurrent_index_migrations_run_outside_a_transaction_and_are_recorded_once(database, tmp_path) -> None:
    """Newer LiteLLM releases build some indexes CONCURRENTLY, which PostgreSQL refuses
    inside a transaction; a run stopped between the index and its record repeats the
    (IF NOT EXISTS) statement and records it once."""
    migrations = tmp_path / "migrations"
    write_migration(migrations, "001_table", 'CREATE TABLE "T" (id int);\n-- not CONCURRENTLY here\n')
    write_migration(
        migrations,
        "002_index",
        '-- CONCURRENTLY can\'t run in a transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "T_id_idx" ON "T"(id);\n',
    )
    assert [m.needs_no_transaction for m in find_migrations(migrations)] == [False, True]
    assert apply_migrations(database, migrations) == ["001_table", "002_index"]
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("""DELETE FROM "_prisma_migrations" WHERE migration_name = '002_index'""")
    assert apply_migrations(database, migrations) == ["002_index"]
    assert apply_migrations(database, migrations) == []
    with psycopg.connect(database) as conn:
        rows = conn.execute('SELECT migration_name FROM "_prisma_migrations" ORDER BY 1').fetchall()
        index = conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = '\"T_id_idx\"'::regclass").fetchone()
    assert rows == [("001_table",), ("002_index",)] and index == (True,)


def test_replicas_migrating_one_database_together_apply_each_migration_once(database, migrations_dir) -> None:
    """Two proxies started together (compose.yaml's replicas) both migrate at start-up."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: apply_migrations(database, migrations_dir), range(3)))
    expected = [m.name for m in find_migrations(migrations_dir)]
    assert sorted(results, key=len) == [[], [], expected]
    with psycopg.connect(database) as conn:
        assert conn.execute('SELECT count(*) FROM "_prisma_migrations"').fetchone() == (len(expected),)


def test_dev_proxy_can_refuse_to_start_without_a_database_url(tmp_path) -> None:
    """The image's entrypoint asks for DATABASE_URL rather than start an embedded database."""
    command = [sys.executable, "-m", "litellm_batch_fixes", "proxy", "--require-database-url"]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    refused = subprocess.run([*command, "--state-dir", str(tmp_path)], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "DATABASE_URL is not set" in refused.stderr
    assert not any(tmp_path.iterdir()), "nothing may be started or written"


def test_the_target_is_named_without_its_password() -> None:
    url = "postgresql://litellm-batch-fixes:secret@localhost/litellm-batch-fixes?host=/run/postgresql"
    assert target_of(url) == 'database "litellm-batch-fixes" as role "litellm-batch-fixes" on /run/postgresql'


def test_a_missing_database_and_role_fail_naming_both(scratch_postgres) -> None:
    """Before ensureDatabases/ensureUsers ran (a NixOS unit ordered on postgresql.service
    alone), libpq only says the role doesn't exist; the error names what is missing."""
    url = make_conninfo(scratch_postgres.url, user="no_such_role", dbname="no_such_db")
    with pytest.raises(MigrationError) as raised:
        apply_migrations(url, Path("unused"))
    message = str(raised.value)
    assert ('database "no_such_db"' in message, 'role "no_such_role"' in message) == (True, True)
    assert 'role "no_such_role" does not exist' in message and "ensureUsers" in message


def test_a_role_that_may_not_create_tables_fails_naming_it(scratch_postgres, database, tmp_path) -> None:
    """A database the role doesn't own (no ensureDBOwnership): PostgreSQL >= 15 lets only
    the owner create in schema public."""
    with psycopg.connect(scratch_postgres.url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS no_rights")
        conn.execute("CREATE ROLE no_rights LOGIN")
    url = make_conninfo(database, user="no_rights")
    write_migration(tmp_path, "001_table", "CREATE TABLE t (x int);\n")
    with pytest.raises(MigrationError, match=r'as role "no_rights" .*permission denied.*ensureDBOwnership'):
        apply_migrations(url, tmp_path)
