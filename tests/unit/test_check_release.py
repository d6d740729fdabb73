"""./dev check-release: what it refuses before installing anything, and how it reads a run."""

from __future__ import annotations

import pytest

from litellm_batch_fixes.check_release import CheckError, PatchVerdict, check, hazards_in_logs


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


def test_an_enterprise_package_older_than_its_caller_is_reported(tmp_path) -> None:
    logs = tmp_path / "proxy-x" / "logs"
    logs.mkdir(parents=True)
    (logs / "proxy-1.81.6-unpatched.log").write_text(
        "ERROR files_endpoints.py:943 - retrieve_file(): Exception occured - "
        "_PROXY_LiteLLMManagedFiles.afile_retrieve() got an unexpected keyword argument 'llm_router'\n"
    )
    [hazard] = hazards_in_logs(tmp_path, "0.1.27")
    assert "afile_retrieve()" in hazard and "0.1.27" in hazard and "`llm_router`" in hazard
