"""The builds are separate copies: an edit in one (a patch, `prisma generate`, a developer
trying a fix in .venv/patched) must reach neither the other build nor the installer's cache."""

from __future__ import annotations

import subprocess
import sys

import pytest

from litellm_batch_fixes.build import prebuilt_python, site_packages
from litellm_batch_fixes.paths import VENVS_DIR
from litellm_batch_fixes.releases import Build

from ..support import build_python

FILES = ["litellm/proxy/utils.py", "litellm_enterprise/proxy/hooks/managed_files.py", "prisma/client.py"]


@pytest.mark.parametrize("flavour", ["patched", "unpatched"])
def test_build_files_are_not_hard_links_into_a_cache(release_line, flavour) -> None:
    build = release_line.build(flavour)
    if prebuilt_python(build):
        pytest.skip("a prebuilt (Nix) build lives in a read-only store")
    site = site_packages(build_python(build))
    # A leave-one-out build starts as links into the unpatched build (see below): its
    # copies are the only other names a file may have.
    others = [other for other in VENVS_DIR.glob("*/lib/python3*/site-packages") if other != site]
    for name in FILES:
        inode = (site / name).stat()
        links = [other for other in others if (other / name).exists() and (other / name).stat().st_ino == inode.st_ino]
        assert inode.st_nlink == 1 + len(links), name
        assert all(Build.parse(other.parents[2].name).is_leave_one_out for other in links), name


def test_a_copied_venv_names_its_own_place_and_changes_nothing_of_its_source(tmp_path) -> None:
    """A leave-one-out build starts as a linked copy of the unpatched venv: its scripts run
    its own Python, its interpreter stays a link, what the build writes into (the packages
    its patches touch, the generated client, stamps, scripts, .pth) is its own, and a
    file replaced elsewhere (as patch and py_compile replace them) stays in the source."""
    import subprocess
    import sys

    from litellm_batch_fixes.build import _copy_venv, site_packages

    source = tmp_path / "unpatched"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(source)], check=True)
    site = site_packages(source / "bin" / "python")
    for name in ("litellm/proxy/utils.py", "prisma/client.py", "openai/__init__.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x = 1\n")
    (site / "hooks.pth").write_text("/somewhere\n")
    (source / ".stamp").write_text("source\n")
    (source / "bin" / "uvicorn").write_text(f"#!{source}/bin/python\nimport uvicorn\n")
    (source / "bin" / "uvicorn").chmod(0o755)

    copy = tmp_path / "without-0001"
    _copy_venv(source, copy, {"litellm", "prisma"})
    copied = copy / site.relative_to(source)
    for name in ("litellm/proxy/utils.py", "prisma/client.py", "hooks.pth"):
        (copied / name).write_text("changed in place\n")
    (copy / ".stamp").write_text("changed in place\n")
    replaced = copied / "openai" / "__init__.py"
    replaced.with_suffix(".new").write_text("x = 2\n")
    replaced.with_suffix(".new").replace(replaced)

    assert (copy / "bin" / "uvicorn").read_text().splitlines()[0] == f"#!{copy}/bin/python"
    assert (copy / "bin" / "uvicorn").stat().st_mode & 0o777 == 0o755
    assert (copy / "bin" / "python").is_symlink()
    assert [
        (site / name).read_text() for name in ("litellm/proxy/utils.py", "prisma/client.py", "openai/__init__.py")
    ] == ["x = 1\n"] * 3
    assert ((site / "hooks.pth").read_text(), (source / ".stamp").read_text()) == ("/somewhere\n", "source\n")


def test_a_patch_applied_to_a_copied_venv_leaves_its_source_as_it_was(tmp_path) -> None:
    """What a leave-one-out build's patches change stays shared until they change it: the
    patch tool writes a new file, so the unpatched build's file (a hard link) is untouched."""
    import subprocess
    import sys

    from litellm_batch_fixes.build import PRIVATE_DIRECTORIES, _copy_venv, site_packages
    from litellm_batch_fixes.patches import Patch, apply_series

    source = tmp_path / "unpatched"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(source)], check=True)
    site = site_packages(source / "bin" / "python")
    (site / "litellm").mkdir()
    (site / "litellm" / "router.py").write_text("retries = 2\nbackoff = 1\n")
    fix = tmp_path / "0001-no-retries.patch"
    fix.write_text(
        "Description: no retries\n---\n--- a/litellm/router.py\n+++ b/litellm/router.py\n"
        "@@ -1,2 +1,2 @@\n-retries = 2\n+retries = 0\n backoff = 1\n"
    )

    copy = tmp_path / "without-0002"
    _copy_venv(source, copy, PRIVATE_DIRECTORIES)
    copied = copy / site.relative_to(source)
    assert (copied / "litellm" / "router.py").stat().st_nlink == 2  # shared until patched
    apply_series(copied, [Patch(fix)])

    assert (copied / "litellm" / "router.py").read_text() == "retries = 0\nbackoff = 1\n"
    assert (site / "litellm" / "router.py").read_text() == "retries = 2\nbackoff = 1\n"


def test_a_venv_without_its_own_site_packages_is_not_copied(tmp_path) -> None:
    from litellm_batch_fixes.build import BuildError, _copy_venv

    (tmp_path / "broken" / "bin").mkdir(parents=True)
    (tmp_path / "broken" / "bin" / "python").symlink_to(sys.executable)
    with pytest.raises(BuildError, match="no venv of its own"):
        _copy_venv(tmp_path / "broken", tmp_path / "copy", {"litellm"})


def test_a_builds_client_bakes_one_engine_path(release_line) -> None:
    """One path, so prisma-client-py runs no baked engine before PRISMA_QUERY_ENGINE_BINARY
    (prisma_engine.native_only): a Nix build's or a moved bridge's path never fails a start."""
    python = build_python(release_line.build("patched"))
    if not python.exists():
        pytest.skip(f"{release_line.version} is not built (./dev setup --litellm {release_line.version})")
    probe = "from prisma.client import BINARY_PATHS; print(len(BINARY_PATHS.query_engine))"
    assert subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=True).stdout == "1\n"
