"""Each release line's patch series: complete, documented (DEP-3), applies cleanly and only once,
and each patch has a regression test (leave-one-out runs it on the series without the patch)."""

from __future__ import annotations

import pytest

from litellm_batch_fixes import docs
from litellm_batch_fixes.patches import (
    Patch,
    PatchError,
    applicable,
    apply_series,
    copy_touched_files,
    read_series,
)
from litellm_batch_fixes.paths import PATCHES_DIR
from litellm_batch_fixes.releases import DEFAULT, LINES

# DEP-3's Bug is optional: a URL where there is an upstream report, else absent.
DEP3_FIELDS = ("Description", "Author", "Forwarded", "Applied-Upstream", "Last-Update")
SERIES = {version: read_series(line.series_path) for version, line in LINES.items()}
EVERY_PATCH = sorted({p.path for series in SERIES.values() for p in series})


def test_every_patch_file_is_in_a_series_and_no_series_names_one_twice() -> None:
    for series in SERIES.values():
        named = [p.name for p in series]
        assert len(named) == len(set(named))
    assert EVERY_PATCH == sorted(PATCHES_DIR.rglob("*.patch"))


def test_each_line_keeps_its_series_and_patches_in_its_own_folder() -> None:
    """patches/<version>/series and its patches; a line may name the default line's file.
    A line's own version of a patch keeps its name, so the tests marked for a patch find it
    on every line."""
    for version, series in SERIES.items():
        assert LINES[version].series_path == PATCHES_DIR / version / "series"
        for patch in series:
            folder = patch.path.parent.relative_to(PATCHES_DIR)
            assert str(folder) in (DEFAULT, version), patch.path


@pytest.mark.parametrize("patch", [Patch(p) for p in EVERY_PATCH], ids=lambda p: str(p.path.relative_to(PATCHES_DIR)))
def test_patch_has_dep3_header_and_root_relative_paths(patch) -> None:
    header = patch.header()
    assert [f for f in DEP3_FIELDS if not header.get(f)] == []
    assert len(header["Description"].splitlines()) > 1, "Description needs the error and the root cause"
    assert all(
        f.startswith(("litellm/", "litellm_enterprise/", "litellm_proxy_extras/")) for f in patch.touched_files()
    )


def test_series_applies_cleanly_then_refuses_a_second_apply(release_line, pristine_site_packages, tmp_path) -> None:
    series = SERIES[release_line.version]
    if not series:
        pytest.skip(f"{release_line.version}'s series is empty")
    site = pristine_site_packages
    copy_touched_files(series, site, tmp_path)
    apply_series(tmp_path, series)
    touched = {rel for patch in series for rel in patch.touched_files()}
    # A file the series creates (a migration) is new; every other one must have changed.
    assert [
        rel for rel in touched if (site / rel).exists() and (tmp_path / rel).read_bytes() == (site / rel).read_bytes()
    ] == []
    assert all((tmp_path / rel).is_file() for rel in touched)
    with pytest.raises(PatchError, match="applied already"):
        apply_series(tmp_path, series)


def test_a_patch_that_does_not_apply_is_named_and_nothing_changes(
    release_line, pristine_site_packages, tmp_path
) -> None:
    series = SERIES[release_line.version]
    if not series:
        pytest.skip(f"{release_line.version}'s series is empty")
    copy_touched_files(series, pristine_site_packages, tmp_path)
    # Break a file that only the last patch touching it expects: that patch must be named.
    first_toucher: dict[str, Patch] = {}
    for patch in series:
        for rel in patch.touched_files():
            first_toucher.setdefault(rel, patch)
    # A file the release ships: a patch that creates a file would replace the broken one.
    rel, culprit = [(r, p) for r, p in first_toucher.items() if (pristine_site_packages / r).is_file()][-1]
    (tmp_path / rel).write_text("not the file the patch expects\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    with pytest.raises(PatchError) as error:
        apply_series(tmp_path, series)
    assert culprit.name in str(error.value) and rel in str(error.value)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before


def test_a_series_without_one_patch_also_loses_the_patches_written_on_it(
    release_line, pristine_site_packages, tmp_path
) -> None:
    """Leave-one-out builds: without 0011 (listing managed batches), the patches written
    on its lines can't apply and go too: 0030 (its keyset paging), 0034 (whose rows it
    lists), 0035 (on 0034's lines), 0036 (the provider route's listing), 0045 (on
    0030's lines), 0058 (on 0035's), 0063 and 0066 (on 0036's) and 0065 (on 0030's); every
    other patch still applies."""
    if release_line.version != "1.80.10":
        pytest.skip("about 1.80.10's series")
    series = SERIES["1.80.10"]
    without = [p for p in series if not p.name.startswith("0011-")]
    copy_touched_files(without, pristine_site_packages, tmp_path)
    kept, dropped = applicable(tmp_path, without)
    assert ([p.name[:4] for p in dropped], len(kept)) == (
        ["0030", "0034", "0035", "0036", "0045", "0058", "0063", "0065", "0066"],
        len(series) - 10,
    )


def test_every_patch_of_every_series_has_a_regression_test() -> None:
    """Leave-one-out builds a line without a patch only when a test is marked for it."""
    marked = docs.tests_by_patch()
    untested = {
        f"{version}: {patch.name}" for version, series in SERIES.items() for patch in series if patch.name not in marked
    }
    assert not untested, sorted(untested)
