"""Build names: each build's name reads back as that build, and a name no line has says why."""

from __future__ import annotations

import pytest

from litellm_batch_fixes import releases
from litellm_batch_fixes.build import patches_for
from litellm_batch_fixes.patches import read_series
from litellm_batch_fixes.releases import DEFAULT, FLAVOURS, LINES, Build, UnknownBuild, UnknownLine

SERIES = {line: read_series(line.series_path) for line in LINES.values() if line.series_path}
EVERY_BUILD = [line.build(flavour) for line in LINES.values() for flavour in FLAVOURS] + [
    line.without(patch) for line, series in SERIES.items() for patch in series
]
OTHER_LINE = next(line for line in LINES.values() if not line.is_default)


@pytest.mark.parametrize("build", EVERY_BUILD, ids=str)
def test_a_builds_name_reads_back_as_that_build(build: Build) -> None:
    assert Build.parse(build.name) == build
    assert str(build) == build.name
    assert [build.is_patched, build.is_unpatched, build.is_leave_one_out].count(True) == 1


def test_only_another_line_than_the_default_names_its_version() -> None:
    default, first = LINES[DEFAULT], SERIES[LINES[DEFAULT]][0]
    patch = SERIES[OTHER_LINE][0]
    assert default.build("patched").name == "patched"
    assert default.without(first).name == f"without-{first.name[:4]}"
    assert OTHER_LINE.build("unpatched").name == f"{OTHER_LINE.version}-unpatched"
    assert OTHER_LINE.without(patch).name == f"{OTHER_LINE.version}-without-{patch.name[:4]}"
    assert OTHER_LINE.build(f"without-{patch.name[:4]}") == OTHER_LINE.without(patch)
    # The default line's names are flavours alone: `./dev setup 1.108.7-patched` is another line's.
    assert default.build(f"{OTHER_LINE.version}-patched") == OTHER_LINE.build("patched")


def test_a_leave_one_out_build_applies_its_series_but_that_patch() -> None:
    series = SERIES[OTHER_LINE]
    assert patches_for(OTHER_LINE.without(series[1])) == series[:1] + series[2:]


def test_an_unknown_line_is_named() -> None:
    with pytest.raises(UnknownLine, match="no release line '9.9.9'"):
        Build.parse("9.9.9-patched")


@pytest.mark.parametrize("name", ["sideways", "without-30", f"{DEFAULT}-without-", "latest-patched"])
def test_an_unknown_flavour_says_what_a_build_is_called(name: str) -> None:
    with pytest.raises(UnknownBuild, match=f"unknown build '{name}': use patched, unpatched or without-NNNN"):
        Build.parse(name)


def test_a_patch_number_the_series_lacks_is_an_unknown_build() -> None:
    with pytest.raises(UnknownBuild, match=f"unknown build 'without-9999'.* patches/{LINES[DEFAULT].series}"):
        patches_for(Build.parse("without-9999"))


def test_a_release_only_checked_has_only_its_unpatched_build(monkeypatch, tmp_path) -> None:
    """A release `./dev check-release` resolved is a line without a series."""
    monkeypatch.setattr(releases, "checked_lock", lambda version: tmp_path / version / "proxy.txt")
    (tmp_path / "1.81.6").mkdir()
    (tmp_path / "1.81.6" / "proxy.txt").write_text("")
    checked = releases.line("1.81.6")
    assert patches_for(checked.build("unpatched")) == [] and checked.series is None
    only_unpatched = r"1.81.6 has no patch series \(it was only checked\): build 1.81.6-unpatched"
    with pytest.raises(UnknownBuild, match=only_unpatched):
        patches_for(checked.build("patched"))
    with pytest.raises(UnknownBuild, match=only_unpatched):
        Build.parse("1.81.6-sideways")
