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


def test_a_copied_venv_names_its_own_place_and_shares_no_file(tmp_path) -> None:
    """A leave-one-out build starts as a copy of the unpatched venv: its scripts must run
    its own Python, its interpreter stays a link, and no file is shared with the source."""
    from litellm_batch_fixes.build import _copy_venv

    source = tmp_path / "unpatched"
    (source / "bin").mkdir(parents=True)
    (source / "bin" / "python").symlink_to("/usr/bin/python3")
    (source / "bin" / "uvicorn").write_text(f"#!{source}/bin/python\nimport uvicorn\n")
    (source / "lib").mkdir()
    (source / "lib" / "module.py").write_text("x = 1\n")
    copy = tmp_path / "without-0001"
    _copy_venv(source, copy)
    (copy / "lib" / "module.py").write_text("x = 2\n")
    assert (
        (copy / "bin" / "uvicorn").read_text().splitlines()[0],
        (copy / "bin" / "python").is_symlink(),
        (source / "lib" / "module.py").read_text(),
    ) == (f"#!{copy}/bin/python", True, "x = 1\n")
