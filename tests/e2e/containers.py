"""testcontainers: PostgreSQL and the mock server as containers, published on 127.0.0.1 only."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from testcontainers.community.postgres import PostgresContainer
from testcontainers.core.container import DockerContainer
from testcontainers.core.image import DockerImage
from testcontainers.core.wait_strategies import HttpWaitStrategy

MOCK_PORT = 8090
LOOPBACK_ANY_PORT = ("127.0.0.1", None)


@contextlib.contextmanager
def postgres_container(image: str) -> Iterator[str]:
    """A server URL; testcontainers waits until psql answers inside the container."""
    container = PostgresContainer(image, driver=None)
    # with_bind_ports takes no address; this publishes on loopback with a free port.
    container.ports["5432"] = LOOPBACK_ANY_PORT  # type: ignore[assignment]  # docker-py takes (host, port)
    with container:
        yield container.get_connection_url()


@contextlib.contextmanager
def mock_server_container(root: Path, base_image: str, step_seconds: float) -> Iterator[str]:
    """Build mock-server/Dockerfile on `base_image`, run it, and yield its base URL."""
    tag = f"litellm-batch-fixes-mock:{uuid.uuid4().hex[:8]}"
    with DockerImage(
        path=str(root), dockerfile_path="mock-server/Dockerfile", tag=tag, buildargs={"BASE_IMAGE": base_image}
    ) as image:
        container = (
            DockerContainer(str(image))
            .with_env("MOCK_BATCH_STEP_SECONDS", str(step_seconds))
            .with_exposed_ports(MOCK_PORT)
            .waiting_for(HttpWaitStrategy(MOCK_PORT, "/__mock__/health").for_status_code(200))
        )
        container.ports[str(MOCK_PORT)] = LOOPBACK_ANY_PORT  # type: ignore[assignment]  # as above
        with container:
            yield f"http://127.0.0.1:{container.get_exposed_port(MOCK_PORT)}"
