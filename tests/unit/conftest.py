"""Unit-level fixtures: the pristine LiteLLM files of the unpatched build."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.build import ensure_build, site_packages


@pytest.fixture(scope="session")
def pristine_site_packages():
    """site-packages of the unpatched build: LiteLLM exactly as the pinned wheels ship it."""
    return site_packages(ensure_build("unpatched", log=lambda _: None))

