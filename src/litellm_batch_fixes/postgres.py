"""An embedded PostgreSQL (initdb + pg_ctl) whose data lives in the state dir.

PostgreSQL refuses to run as root, so as root it runs as the `postgres` user, which
must own the data directory. It listens on no TCP port at all: only on a Unix socket in
the data directory, which is 0700, so only its owner (and root) can connect; trust
authentication is safe behind that. The URL names the socket directory (`?host=`), which
libpq, Prisma's engines and node-postgres all read.
"""

from __future__ import annotations

import functools
import glob
import os
import pwd
import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from .processes import StartupError, log_tail

DATABASE = "litellm"
SERVICE_USER = "postgres"
# The socket file is <dir>/.s.PGSQL.<port>; the port only names it (the directory is ours).
SOCKET_PORT = 5432
# sun_path holds 108 bytes with its NUL: the socket's directory must leave room for its name.
MAX_SOCKET_DIR = 107 - len(f"/.s.PGSQL.{SOCKET_PORT}")


@functools.cache
def find_bin_dir() -> Path:
    """pg_ctl on PATH (Nix), else the newest Debian postgresql-NN package."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not candidates:
        raise StartupError(
            "PostgreSQL server binaries not found: install Debian's `postgresql` "
            "package (apt-get install postgresql), or set DATABASE_URL to a database"
        )
    return Path(candidates[-1]).parent


def _as_service_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise StartupError(
            "running as root, and PostgreSQL refuses root: create a `postgres` user "
            "(Debian's postgresql package does) or run as a normal user"
        ) from None
    return ["runuser", "-u", SERVICE_USER, "--"]


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    # Server settings (-c name=value), e.g. the benchmark's pg_stat_statements.
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    @property
    def url(self) -> str:
        host = urllib.parse.quote(str(self.data_dir), safe="/")
        return f"postgresql://{SERVICE_USER}@localhost:{SOCKET_PORT}/{DATABASE}?host={host}"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*_as_service_user(), str(find_bin_dir() / tool), *args], capture_output=True, text=True)

    def _prepare_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir.chmod(0o700)
        if os.geteuid() == 0:
            user = pwd.getpwnam(SERVICE_USER)
            os.chown(self.data_dir, user.pw_uid, user.pw_gid)
            self.log_path.touch()
            os.chown(self.log_path, user.pw_uid, user.pw_gid)

    def start(self) -> EmbeddedPostgres:
        if len(str(self.data_dir)) > MAX_SOCKET_DIR:
            raise StartupError(
                f"{self.data_dir} is too long for PostgreSQL's socket (at most "
                f"{MAX_SOCKET_DIR} characters): choose a shorter --state-dir"
            )
        self._prepare_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            # trust: only the data directory's owner and root reach the socket (see above)
            result = self._run(
                "initdb", "-D", str(self.data_dir), "-U", SERVICE_USER, "--auth=trust", "--encoding=UTF8", "--locale=C"
            )
            if result.returncode != 0:
                raise StartupError(
                    f"initdb failed in {self.data_dir} (the {SERVICE_USER} user must be "
                    f"able to reach that directory):\n{result.stdout}{result.stderr}"
                )
        if self._run("pg_ctl", "-D", str(self.data_dir), "status").returncode == 0:
            # Left running by an earlier run that was killed: stop it, then start afresh.
            self.stop()
        options = f"-p {SOCKET_PORT} -c listen_addresses='' -k {self.data_dir}"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        result = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_path), "-o", options, "-w", "-t", "60", "start"
        )
        if result.returncode != 0:
            raise StartupError(
                f"PostgreSQL did not start (socket in {self.data_dir}):\n"
                f"{result.stdout}{result.stderr}\n{log_tail(self.log_path)}"
            )
        self._create_database()
        return self

    def _create_database(self) -> None:
        server = ["-h", str(self.data_dir), "-p", str(SOCKET_PORT), "-U", SERVICE_USER]
        exists = self._run(
            "psql", *server, "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"
        )
        if exists.stdout.strip() != "1":
            created = self._run("createdb", *server, DATABASE)
            if created.returncode != 0:
                raise StartupError(f"createdb {DATABASE} failed: {created.stderr}")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        """Stop and delete the cluster with its directory (for scratch clusters)."""
        self.stop()
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)
