"""./dev check-release: what it refuses before installing anything, and how it reads a run."""

from __future__ import annotations

from pathlib import Path

import pytest

from litellm_batch_fixes import check_release
from litellm_batch_fixes.check_release import (
    CheckError,
    PatchVerdict,
    check,
    hazards_in_logs,
    markdown,
    newest_resolvable,
    series_disagreements,
)
from litellm_batch_fixes.patches import read_series
from litellm_batch_fixes.releases import LINES


@pytest.mark.parametrize(
    "version,enterprise,reason",
    [
        ("1.107.0", None, "compromised"),
        ("1.80.10; rm -rf /", None, "not a release version"),
        ("../../etc", None, "not a release version"),
        ("1.81.6", "0.1.28 --index-url x", "not a release version"),
    ],
)
def test_refused_before_anything_is_resolved(version, enterprise, reason) -> None:
    with pytest.raises(CheckError, match=reason):
        check(version, enterprise, "local", log=lambda _: None)


def test_verdicts() -> None:
    assert PatchVerdict("p", {}, ["passed", "passed"]).verdict == "fixed upstream"
    assert PatchVerdict("p", {}, ["passed", "failed"]).verdict == "still needed"
    assert PatchVerdict("p", {}, ["xfailed"]).verdict == "still needed"
    assert PatchVerdict("p", {}).verdict == "untested"
    assert PatchVerdict("p", {}, blocked_by={"0021"}).verdict.startswith("not provable here")
    own = PatchVerdict("p", {}, ["passed"], contracts={"403 for other users"})
    assert own.verdict == "fixed upstream (its own contract: 403 for other users)"
    assert (
        PatchVerdict("p", {"1.80.10": "conflicts", "1.108.7": "applies"}).how_it_applies == "applies (1.108.7 version)"
    )


def test_the_contract_column_names_the_client_visible_tests_that_fail() -> None:
    verdict = PatchVerdict("0053-other-callers-objects-answer-404.patch", {})
    verdict.record("tests/e2e/access/test_ownership.py::test_x[1.108.7-unpatched-gpt]", "xfailed")
    verdict.record("tests/e2e/access/test_ownership.py::test_x[1.108.7-unpatched-azure]", "xfailed")
    verdict.record("tests/e2e/errors/test_client_errors.py::test_y[1.108.7-unpatched]", "passed")
    verdict.record("tests/e2e/spend/test_batch_spend.py::test_z[1.108.7-unpatched]", "failed")  # not a client's
    assert verdict.broken == {"access/test_ownership.py::test_x"}
    assert verdict.verdict == "still needed"
    row = check_release.table([verdict]).splitlines()[-1]
    assert (
        row == "| 0053-other-callers-objects-answer-404 | still needed | 1 passed, 1 failed, 2 xfailed "
        "| `access/test_ownership.py::test_x` | doesn't apply: needs a rebase |"
    )
    assert check_release.contract_summary([verdict])[0].startswith("Contract: 1 client-visible expectations fail")
    assert "every client-visible expectation" in check_release.contract_summary([PatchVerdict("p", {})])[0]


def test_a_lines_check_fails_where_its_series_and_its_release_disagree() -> None:
    """The release watch's half of the unpatched check: carried patches must still be needed."""
    line = LINES["1.108.7"]
    carried = read_series(line.series_path)[0].name
    not_carried = next(
        name for name in check_release.every_patch() if name not in {p.name for p in read_series(line.series_path)}
    )
    agreeing = [PatchVerdict(carried, {}, ["xfailed"]), PatchVerdict(not_carried, {}, ["passed"])]
    assert series_disagreements("1.108.7", agreeing) == []
    assert series_disagreements("1.81.6", [PatchVerdict(carried, {}, ["passed"])]) == []  # not a line: a report
    found = series_disagreements(
        "1.108.7", [PatchVerdict(carried, {}, ["passed"]), PatchVerdict(not_carried, {}, ["failed"])]
    )
    assert found == [
        "The series disagrees with the release:",
        f"1.108.7's series carries {carried}, but its tests pass on the release as is",
        f"1.108.7's series lacks {not_carried}, whose tests fail on the release",
    ]


def test_an_enterprise_package_older_than_its_caller_is_reported(tmp_path) -> None:
    logs = tmp_path / "proxy-x" / "logs"
    logs.mkdir(parents=True)
    (logs / "proxy-1.81.6-unpatched.log").write_text(
        "ERROR files_endpoints.py:943 - retrieve_file(): Exception occured - "
        "_PROXY_LiteLLMManagedFiles.afile_retrieve() got an unexpected keyword argument 'llm_router'\n"
    )
    [hazard] = hazards_in_logs(tmp_path, "0.1.27")
    assert "afile_retrieve()" in hazard and "0.1.27" in hazard and "`llm_router`" in hazard


def test_the_newest_release_that_resolves_is_checked_and_each_newer_one_says_why_not(monkeypatch) -> None:
    def resolve(version, enterprise, log):
        if version == "1.110.2":
            raise CheckError("litellm 1.110.2 does not resolve from the package index here:\nno prisma==0.11.0")
        return Path("proxy.txt")

    monkeypatch.setattr(check_release, "resolve", resolve)
    assert newest_resolvable(["1.110.2", "1.107.0", "1.106.12", "1.80.10"], None, print) == (
        "1.106.12",
        [
            ("1.110.2", "litellm 1.110.2 does not resolve from the package index here:\nno prisma==0.11.0"),
            ("1.107.0", "LiteLLM 1.107.0 was reported as a compromised release; it is never installed"),
        ],
    )
    with pytest.raises(CheckError, match="none of the 1 newest litellm releases resolves here:\n1.110.2: litellm"):
        newest_resolvable(["1.110.2", "1.106.12"], None, print, tries=1)


def test_the_summary_is_markdown_with_the_releases_passed_over_first() -> None:
    report = ["LiteLLM 1.109.3 (litellm-enterprise 0.1.30):", "", "| patch |", "|---|", "", "3 of 40 patches..."]
    assert markdown(report, [("1.110.2", "no prisma"), ("1.110.1", "no proxy"), ("1.110.0", "no proxy")]) == (
        "## LiteLLM 1.109.3 (litellm-enterprise 0.1.30)\n\n"
        "The newest release, 1.110.2, is not checked:\n\n```\nno prisma\n```\n\n"
        "Nor the others newer than this one: 1.110.1, 1.110.0.\n\n"
        "| patch |\n|---|\n\n3 of 40 patches...\n"
    )
    assert markdown(report, []).startswith("## LiteLLM 1.109.3 (litellm-enterprise 0.1.30)\n\n| patch |")
