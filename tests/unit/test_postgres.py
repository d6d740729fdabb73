"""The embedded PostgreSQL accepts only the proxy's user: no TCP port, a socket in a 0700
directory (trust authentication is safe only behind that)."""

from __future__ import annotations

import os
import stat
import subprocess

import psycopg
import pytest

from litellm_batch_fixes.postgres import find_bin_dir

from ..support import with_database


def test_listens_on_no_tcp_port_and_its_socket_directory_is_private(scratch_postgres) -> None:
    with psycopg.connect(scratch_postgres.url) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        socket_dir = conn.execute("SHOW unix_socket_directories").fetchone()[0]
    assert socket_dir == str(scratch_postgres.data_dir)
    assert stat.S_IMODE(scratch_postgres.data_dir.stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
def test_another_user_cannot_connect(scratch_postgres) -> None:
    stranger = subprocess.run(
        ["runuser", "-u", "nobody", "--", str(find_bin_dir() / "psql"), scratch_postgres.url, "-c", "SELECT 1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert stranger.returncode != 0
    assert "Permission denied" in stranger.stderr


def test_with_database_keeps_the_socket_directory() -> None:
    url = "postgresql://postgres@localhost:5432/litellm?host=/var/tmp/a/data"
    assert with_database(url, "other") == "postgresql://postgres@localhost:5432/other?host=/var/tmp/a/data"
    assert with_database("postgresql://u:p@127.0.0.1:5/x", "y") == "postgresql://u:p@127.0.0.1:5/y"
