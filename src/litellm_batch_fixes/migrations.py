"""Apply litellm-proxy-extras' SQL migrations and record them the way Prisma does.

LiteLLM normally runs `prisma migrate deploy`, which needs Prisma's native schema engine.
We apply the same migration.sql files in name order, each in a transaction together with
its `_prisma_migrations` row (sha256 checksum of the file, as Prisma computes it), so a
later native `prisma migrate deploy` sees them applied. Applied migrations are skipped,
also when their file has changed since (as `prisma migrate deploy` does): newer LiteLLM
releases edit old migrations (1.108.7 changed 50 of the 56 it shares with 1.80.10), and a database
made by an older release must still upgrade; each such migration is reported.
A migration that builds an index CONCURRENTLY can't run in a transaction (newer LiteLLM
releases have them, one statement each, with IF NOT EXISTS): it runs alone, then its row
is written, so an interrupted run repeats the statement harmlessly and records it once.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from .errors import BatchFixesError

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)
"""


class MigrationError(BatchFixesError):
    """A migration failed or was changed after it was applied."""


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def needs_no_transaction(self) -> bool:
        code = re.sub(r"--[^\n]*", "", self.sql)
        return re.search(r"\bCONCURRENTLY\b", code, re.IGNORECASE) is not None


def find_migrations(migrations_dir: Path) -> list[Migration]:
    if not migrations_dir.is_dir():
        raise MigrationError(f"no migrations at {migrations_dir}: is litellm-proxy-extras installed?")
    return [
        Migration(d.name, (d / "migration.sql").read_text())
        for d in sorted(migrations_dir.iterdir())
        if (d / "migration.sql").is_file()
    ]


MIGRATION_LOCK = 0x6C6266_6D6967  # any constant key shared by every launcher ("lbf" "mig")


def _take_migration_lock(conn: psycopg.Connection) -> None:
    """Replicas starting together migrate one after the other; the lock ends with the
    session. Tried, not waited for: a session waiting in pg_advisory_lock is a running
    statement, and the holder's CREATE INDEX CONCURRENTLY waits for every running
    statement to end: a deadlock."""
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", (MIGRATION_LOCK,)).fetchone()[0]:  # type: ignore[index]
        time.sleep(0.2)


def target_of(database_url: str) -> str:
    """`database "D" as role "R" on H`, for messages: the URL's parts without its password,
    with libpq's defaults (the role is the OS user's name, the database the role's)."""
    try:
        info = conninfo_to_dict(database_url)
    except psycopg.ProgrammingError:
        return "the database of DATABASE_URL (which libpq can't parse)"
    role = str(info.get("user") or getpass.getuser())
    host = info.get("host") or "the default socket"
    port = f":{info['port']}" if info.get("port") else ""
    return f'database "{info.get("dbname") or role}" as role "{role}" on {host}{port}'


def connect(database_url: str) -> psycopg.Connection:
    """An autocommit session, or a MigrationError that names the database and role (a
    service manager's log then says what is missing, not only libpq's words)."""
    try:
        return psycopg.connect(database_url, autocommit=True)
    except psycopg.OperationalError as error:
        raise MigrationError(
            f"can't connect to {target_of(database_url)}: {str(error).strip()}\n"
            "The database and the role must exist and the role must be allowed to connect "
            "(on NixOS: services.postgresql.ensureDatabases and ensureUsers, which run before "
            "postgresql.target)."
        ) from error


def apply_migrations(
    database_url: str, migrations_dir: Path, warn: Callable[[str], None] = lambda _: None
) -> list[str]:
    """Apply what is not applied yet; returns the names applied by this call."""
    applied_now: list[str] = []
    changed: list[str] = []
    with connect(database_url) as conn:
        _take_migration_lock(conn)
        try:
            conn.execute(CREATE_MIGRATIONS_TABLE)
        except psycopg.errors.InsufficientPrivilege as error:
            raise MigrationError(
                f"{target_of(database_url)}: {str(error).splitlines()[0]}: the role must own the database "
                "or may create in its schema public (on NixOS: ensureDBOwnership)"
            ) from error
        done: dict[str, str] = dict(
            conn.execute(
                'SELECT migration_name, checksum FROM "_prisma_migrations" '
                "WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL"
            ).fetchall()
        )
        for migration in find_migrations(migrations_dir):
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    changed.append(migration.name)
                continue
            try:
                if migration.needs_no_transaction:
                    conn.execute(migration.sql)
                with conn.transaction():
                    if not migration.needs_no_transaction:
                        conn.execute(migration.sql)
                    conn.execute(
                        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, '
                        "finished_at, applied_steps_count) VALUES (%s, %s, %s, now(), 1)",
                        (str(uuid.uuid4()), migration.checksum, migration.name),
                    )
            except psycopg.Error as error:
                raise MigrationError(
                    f"migration {migration.name} failed on {target_of(database_url)}: {error}"
                ) from error
            applied_now.append(migration.name)
    if changed:
        warn(
            f"{len(changed)} migrations were applied from an earlier version of their file "
            f"(another litellm-proxy-extras), e.g. {changed[0]}: kept as applied, as Prisma does"
        )
    return applied_now
