"""Suite-wide options: which backend starts the services, which release lines and builds run.

Backends: `containers` (testcontainers: PostgreSQL and the mock server as containers)
and `local` (initdb/pg_ctl and the mock server as processes, for hosts without a
container engine and the Nix sandbox). `auto` picks containers when an engine answers.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx._transports.default
import psycopg
import pytest

from litellm_batch_fixes.postgres import EmbeddedPostgres
from litellm_batch_fixes.releases import ReleaseLine, UnknownLine, lines

from .support import scratch_data_dir, with_database

BUILDS = ("patched", "unpatched", "leave-one-out", "fixed-upstream")
pytest_plugins = ["tests.time_budget"]  # a test over its time budget fails


@functools.cache
def _default_tls_context(trust_env: bool, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


def _shared_tls_context(
    verify: ssl.SSLContext | str | bool = True, cert=None, trust_env: bool = True
) -> ssl.SSLContext:
    """The suite makes a new HTTP client for each SDK client (per test and key) and each
    httpx.get/post, and httpx builds each one a TLS context of its own: loading the CA
    bundle costs ~27 ms of CPU, for requests that all go to loopback over plain HTTP. The
    default context is made once per setting and shared, as httpx allows; any other
    `verify` is passed through."""
    if verify is not True or cert is not None:
        return httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
    env = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")) if trust_env else (None, None)
    return _default_tls_context(trust_env, *env)


httpx._transports.default.create_ssl_context = _shared_tls_context


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("litellm-batch-fixes")
    group.addoption(
        "--backend",
        choices=("auto", "containers", "local"),
        default=os.environ.get("LBF_TEST_BACKEND", "auto"),
        help="how services start (env LBF_TEST_BACKEND; default auto)",
    )
    group.addoption(
        "--builds",
        default=os.environ.get("LBF_TEST_BUILDS", "patched,unpatched"),
        help="comma-separated builds to run (env LBF_TEST_BUILDS; default both): "
        "patch regression tests run on each, the rest on patched only; "
        "`leave-one-out` runs each patch's tests on the series without that patch; "
        "`fixed-upstream` runs on the unpatched build only the tests that must pass there "
        "(their patch is not in the line's series)",
    )
    group.addoption(
        "--litellm",
        default=os.environ.get("LBF_TEST_LITELLM", "default"),
        help="release lines to test: a version, `latest`, `all` or a comma-separated "
        "list (env LBF_TEST_LITELLM; default: the default line, 1.80.10)",
    )
    group.addoption(
        "--fuzz-examples",
        type=int,
        default=int(os.environ.get("LBF_FUZZ_EXAMPLES", "15")),
        help="generated requests per operation and mode in test_generated_requests.py "
        "(env LBF_FUZZ_EXAMPLES; default 15; ./dev fuzz --examples N)",
    )
    group.addoption(
        "--fuzz-seed",
        type=int,
        default=int(os.environ.get("LBF_FUZZ_SEED", "0")),
        help="the seed of the generated requests (env LBF_FUZZ_SEED; default 0)",
    )
    group.addoption(
        "--soak-seconds",
        type=int,
        default=int(os.environ.get("LBF_SOAK_SECONDS", "30")),
        help="the load phase of test_soak.py in seconds (default 30, a short run; 0 skips it; "
        "env LBF_SOAK_SECONDS; ./dev soak --seconds N for a longer one)",
    )


def fresh_database(server_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `server_url`; its URL."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


def selected_builds(config: pytest.Config) -> list[str]:
    builds = [b.strip() for b in config.getoption("--builds").split(",") if b.strip()]
    unknown = set(builds) - set(BUILDS)
    if unknown or not builds:
        raise pytest.UsageError(f"--builds takes {', '.join(BUILDS)}, not {sorted(unknown) or 'nothing'}")
    return builds


def selected_lines(config: pytest.Config) -> list[ReleaseLine]:
    try:
        chosen = lines(config.getoption("--litellm"))
    except UnknownLine as error:
        raise pytest.UsageError(str(error)) from None
    return chosen or lines("default")


def container_engine_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


BACKEND = pytest.StashKey[str]()  # the backend chosen, once per session


def resolved_backend(config: pytest.Config) -> str:
    if BACKEND not in config.stash:
        choice = config.getoption("--backend")
        if choice == "auto":
            choice = "containers" if container_engine_answers() else "local"
        config.stash[BACKEND] = choice
    return config.stash[BACKEND]


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"litellm-batch-fixes: backend={resolved_backend(config)}, "
        f"litellm={','.join(line.version for line in selected_lines(config))}, "
        f"builds={','.join(selected_builds(config))}"
    ]


@pytest.fixture(scope="session")
def scratch_postgres():
    """A throwaway local PostgreSQL cluster for tests below the end-to-end level."""
    postgres = EmbeddedPostgres(scratch_data_dir())
    try:
        yield postgres.start()
    finally:
        postgres.remove()
