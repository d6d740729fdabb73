"""Unit-level fixtures: the pristine LiteLLM files of the unpatched build, a scratch PostgreSQL."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.build import ensure_build, site_packages
from litellm_batch_fixes.postgres import EmbeddedPostgres, scratch_data_dir


@pytest.fixture(scope="session")
def pristine_site_packages():
    """site-packages of the unpatched build: LiteLLM exactly as the pinned wheels ship it."""
    return site_packages(ensure_build("unpatched", log=lambda _: None))


@pytest.fixture(scope="session")
def scratch_postgres():
    postgres = EmbeddedPostgres(scratch_data_dir())
    try:
        yield postgres.start()
    finally:
        postgres.remove()
