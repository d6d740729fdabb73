"""The builds are separate copies: an edit in one (a patch, `prisma generate`, a developer
trying a fix in .venv/patched) must reach neither the other build nor the installer's cache."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.build import build_python, prebuilt_python, site_packages

FILES = ["litellm/proxy/utils.py", "litellm_enterprise/proxy/hooks/managed_files.py", "prisma/client.py"]


@pytest.mark.parametrize("flavour", ["patched", "unpatched"])
def test_build_files_are_not_hard_links_into_a_cache(release_line, flavour) -> None:
    build = release_line.build(flavour)
    if prebuilt_python(build):
        pytest.skip("a prebuilt (Nix) build lives in a read-only store")
    site = site_packages(build_python(build))
    assert {name: (site / name).stat().st_nlink for name in FILES} == {name: 1 for name in FILES}
