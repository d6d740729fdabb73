"""The whole stack behind `./dev proxy` and the test suite: database, schema, mock, proxy.

What is given (a DATABASE_URL, a mock server URL) is used; what is not is started here
and stopped again by `stop()`, in reverse order, also when start-up fails halfway.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .build import ensure_build, site_packages
from .migrations import apply_migrations
from .mock import start_mock_server, upstream_env
from .postgres import EmbeddedPostgres
from .processes import Service, StartupError, free_port, port_in_use
from .proxy import proxy_env, start_proxy
from .releases import DEFAULT, LINES, Build
from .state_lock import lock_state_dir

Log = Callable[[str], None]


def migrate(python: Path, database_url: str, log: Log = print) -> list[str]:
    """LiteLLM's schema, from the build's litellm-proxy-extras, onto the database."""
    return apply_migrations(
        database_url,
        site_packages(python) / "litellm_proxy_extras" / "migrations",
        warn=lambda message: log(f"  note: {message}"),
    )


def config_uses_mock(config: Path) -> bool:
    return "os.environ/MOCK_" in config.read_text()


def stored_secret(state_dir: Path, name: str, env_var: str, prefix: str) -> tuple[str, str]:
    """(value, where it came from): the environment, else a value kept in the state dir."""
    if os.environ.get(env_var):
        return os.environ[env_var], f"${env_var}"
    path = state_dir / name
    if path.is_file():
        return path.read_text().strip(), str(path)
    value = prefix + secrets.token_urlsafe(24)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value, f"{path} (generated now)"


@dataclass
class Stack:
    state_dir: Path
    config: Path
    build: Build = LINES[DEFAULT].build("patched")
    host: str = "127.0.0.1"
    port: int = 4000  # 0: any free port (tests)
    database_url: str | None = None
    mock_url: str | None = None
    # Seconds between the batch cost poller's runs (LiteLLM's PROXY_BATCH_POLLING_INTERVAL);
    # None: LiteLLM's default, 3600.
    batch_polling_interval: int | None = None
    # Seconds between writes of queued spend rows (LiteLLM's PROXY_BATCH_WRITE_AT, plus up
    # to 5 s of its jitter); None: LiteLLM's default, 10.
    spend_write_interval: int | None = None
    # Both at exactly their interval, without LiteLLM's random offsets (proxy.EXACT_SCHEDULE):
    # the test suite sets LBF_EXACT_SCHEDULE=1, so its waits for the poller are short.
    exact_schedule: bool = field(default_factory=lambda: os.environ.get("LBF_EXACT_SCHEDULE") == "1")
    # Settings for the embedded PostgreSQL (-c name=value), when one is started here.
    postgres_settings: dict[str, str] = field(default_factory=dict)
    log: Log = print
    services: list = field(default_factory=list)
    proxy: Service | None = None
    master_key: str = ""
    key_source: str = ""
    timings: dict[str, float] = field(default_factory=dict)  # seconds per start-up step

    @property
    def url(self) -> str:
        return self.proxy.extra["url"] if self.proxy else ""

    def _step(self, what: str, action: Callable):
        started = time.monotonic()
        self.log(f"… {what}")
        result = action()
        self.timings[what] = time.monotonic() - started
        self.log(f"✓ {what} ({self.timings[what]:.1f}s)")
        return result

    def start(self) -> Stack:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        lock = lock_state_dir(self.state_dir)
        self.services.append(lock)  # stopped last: nothing of this stack runs when it goes
        if self.port and port_in_use(self.port, self.host):
            raise StartupError(
                f"port {self.port} on {self.host} is in use: pick another with --port "
                "(and, if another ./dev proxy uses it, a state directory of its own with --state-dir)"
            )
        python = self._step(f"{self.build} build", lambda: ensure_build(self.build, self.log))
        logs = self.state_dir / "logs"
        if not self.database_url:
            postgres = EmbeddedPostgres(self.state_dir.resolve() / "postgres" / "data", self.postgres_settings)
            self._step("PostgreSQL (embedded, data in the state dir)", postgres.start)
            self.services.append(postgres)
            self.database_url = postgres.url
        database_url = self.database_url
        applied = self._step("schema migrations", lambda: migrate(python, database_url, self.log))
        self.log(f"  {len(applied)} migrations applied now, the rest were already")
        upstream: dict[str, str] = {}
        if config_uses_mock(self.config):
            if not self.mock_url:
                mock = self._step("mock Azure OpenAI / OpenAI server (state in the state dir)", self._start_mock)
                self.services.append(mock)
                self.mock_url = mock.extra["url"]
            upstream = upstream_env(self.mock_url)
        self.master_key, self.key_source = stored_secret(self.state_dir, "master-key", "LITELLM_MASTER_KEY", "sk-")
        salt_key, _ = stored_secret(self.state_dir, "salt-key", "LITELLM_SALT_KEY", "salt-")
        env = proxy_env(self.database_url, self.master_key, salt_key, self.config, upstream, python)
        if self.batch_polling_interval is not None:
            env["PROXY_BATCH_POLLING_INTERVAL"] = str(self.batch_polling_interval)
        if self.spend_write_interval is not None:
            env["PROXY_BATCH_WRITE_AT"] = str(self.spend_write_interval)
        self.proxy = self._step(f"LiteLLM proxy ({self.build})", lambda: self._start_proxy(python, env, logs))
        self.services.append(self.proxy)
        lock.describe(self.url)

    def _start_mock(self) -> Service:
        """The mock keeps its files and batches in the state dir, and gets the port it had
        last time when that is free, so a restart changes nothing the proxy knows of it."""
        if importlib.util.find_spec("mock_openai_server") is None:  # e.g. the proxy image
            raise StartupError(
                f"{self.config} uses the mock server (os.environ/MOCK_*), which is not installed here: "
                "name a running one with --mock-url or MOCK_SERVER_URL, or use a config of your own (--config)"
            )
        state = self.state_dir / "mock"
        remembered = state / "port"
        port = int(remembered.read_text()) if remembered.is_file() else 0
        if port and port_in_use(port):
            port = 0
        mock = start_mock_server(self.state_dir / "logs" / "mock-server.log", port=port, state_dir=state)
        remembered.write_text(mock.extra["url"].rsplit(":", 1)[1])
        return mock

    def _start_proxy(self, python: Path, env: dict[str, str], logs: Path) -> Service:
        """With port 0, a free port; another process may take it before the proxy binds it
        (the Prisma engine and published container ports draw from the same range): retry."""
        for attempt in range(1, 4):
            port = self.port or free_port(self.host)
            try:
                return start_proxy(
                    python, self.host, port, env, logs / f"proxy-{self.build}.log", exact_schedule=self.exact_schedule
                )
            except StartupError as error:
                if self.port or "address already in use" not in str(error) or attempt == 3:
                    raise
                self.log(f"  port {port} was taken before the proxy bound it; trying another")
        raise AssertionError("unreachable: the last attempt returns or raises")

    def stop(self) -> None:
        while self.services:
            self.services.pop().stop()

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
