"""The patch series: complete, documented (DEP-3), applies cleanly and only once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from litellm_batch_fixes.paths import PATCHES_DIR
from litellm_batch_fixes.patches import PatchError, apply_series, read_series

DEP3_FIELDS = ("Description", "Author", "Bug", "Forwarded", "Applied-Upstream", "Last-Update")
SERIES = read_series(PATCHES_DIR)


def copy_touched_files(site: Path, dest: Path) -> None:
    for patch in SERIES:
        for rel in patch.touched_files():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(site / rel, dest / rel)


def test_series_names_every_patch_file_once() -> None:
    named = [p.name for p in SERIES]
    assert len(named) == len(set(named))
    assert sorted(named) == sorted(p.name for p in PATCHES_DIR.glob("*.patch"))


@pytest.mark.parametrize("patch", SERIES, ids=lambda p: p.name)
def test_patch_has_dep3_header_and_root_relative_paths(patch) -> None:
    header = patch.header()
    assert [f for f in DEP3_FIELDS if not header.get(f)] == []
    assert len(header["Description"].splitlines()) > 1, "Description needs the error and the root cause"
    assert all(f.startswith(("litellm/", "litellm_enterprise/")) for f in patch.touched_files())


def test_series_applies_cleanly_then_refuses_a_second_apply(pristine_site_packages, tmp_path) -> None:
    copy_touched_files(pristine_site_packages, tmp_path)
    apply_series(tmp_path, SERIES)
    assert "Optional[OpenAIFileObject]" in (tmp_path / "litellm/proxy/_types.py").read_text()
    with pytest.raises(PatchError, match="applied already"):
        apply_series(tmp_path, SERIES)


def test_a_patch_that_does_not_apply_is_named_and_nothing_changes(pristine_site_packages, tmp_path) -> None:
    copy_touched_files(pristine_site_packages, tmp_path)
    # Break a file that only the last patch touching it expects: that patch must be named.
    first_toucher = {}
    for patch in SERIES:
        for rel in patch.touched_files():
            first_toucher.setdefault(rel, patch)
    rel, culprit = list(first_toucher.items())[-1]
    (tmp_path / rel).write_text("not the file the patch expects\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    with pytest.raises(PatchError) as error:
        apply_series(tmp_path, SERIES)
    assert culprit.name in str(error.value) and rel in str(error.value)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before
