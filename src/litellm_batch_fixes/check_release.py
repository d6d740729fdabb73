"""`./dev check-release VERSION`: which of our patches a LiteLLM release still needs.

For any release (with the litellm-enterprise its proxy extra pins, or --enterprise X):
resolve and install it hash-locked like a release line's unpatched build, dry-run every
line's version of each patch against it, run each patch's regression tests on it
unpatched, and print one row per patch: still needed (its tests fail), fixed upstream
(they pass) or untested, with how the patch meets the release's code. Hazards found on
the way (an enterprise package older than the code that calls it, a proxy that doesn't
start) are said plainly.

`--newest` checks the newest release on the package index that resolves, and says for each
newer one why it doesn't (the release watch on the forge runs this); `--summary FILE`
appends the report as Markdown (the forge's run summary).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .build import BuildError, ensure_build, site_packages, uv_command
from .errors import BatchFixesError
from .patches import Patch, dry_run, read_series
from .paths import ROOT
from .releases import ALIASES, LINES, UnknownLine, checked_lock
from .releases import line as release_line

# A registry summary reported 1.107.0 as a compromised release; it is never installed.
REFUSED = {"1.107.0": "LiteLLM 1.107.0 was reported as a compromised release; it is never installed"}
BRIDGE_PRISMA = "prisma==0.11.0"  # the Prisma client our bridge serves (prisma_engine)
HAZARDS = [  # (pattern in a proxy log, what it means for an operator; {0}.. its groups, {pins})
    (
        re.compile(r"(_PROXY_\w+\.\w+)\(\) got an unexpected keyword argument '(\w+)'"),
        "LiteLLM calls {0}() of litellm-enterprise {enterprise} with `{1}`, which that version "
        "doesn't take: every such call answers 500. The proxy extra pins an enterprise package "
        "older than the code calling it; install a newer litellm-enterprise (--enterprise X) "
        "or another LiteLLM release.",
    ),
    (re.compile(r"(Managed files hook not found)"), "{0}: managed files answer errors (is the hook registered?)"),
]

Log = Callable[[str], None]


class CheckError(BatchFixesError):
    """The release can't be checked; the message says why."""


@dataclass
class PatchVerdict:
    name: str
    probes: dict[str, str]  # "<line's file>" -> applies / applied / conflicts
    outcomes: list[str] = field(default_factory=list)  # per test: passed / failed / error

    blocked_by: set[str] = field(default_factory=set)  # patches its tests' flow needs first
    contracts: set[str] = field(default_factory=set)  # where the release keeps its own contract
    broken: set[str] = field(default_factory=set)  # client-visible expectations its tests saw fail

    def record(self, test: str, outcome: str) -> None:
        """One test's outcome; a failed test of what a client sees is a broken expectation."""
        self.outcomes.append(outcome)
        expectation = client_expectation(test)
        if outcome in ("failed", "xfailed") and expectation:
            self.broken.add(expectation)

    @property
    def verdict(self) -> str:
        if self.blocked_by and "passed" not in self.outcomes:
            return f"not provable here: its test's flow needs {', '.join(sorted(self.blocked_by))} first"
        if not self.outcomes:
            return "untested"
        if all(o == "passed" for o in self.outcomes):
            own_way = f" (its own contract: {'; '.join(sorted(self.contracts))})" if self.contracts else ""
            return "fixed upstream" + own_way
        if any(o in ("failed", "xfailed") for o in self.outcomes):
            return "still needed"
        return "untested (setup error)"

    @property
    def how_it_applies(self) -> str:
        states = set(self.probes.values())
        for state in ("applies", "applied"):
            if state in states:
                which = [line for line, s in self.probes.items() if s == state]
                return f"{state} ({', '.join(which)} version)"
        return "doesn't apply: needs a rebase"


# The test folders of what a client sees (tests/e2e/: api/ what a client is answered,
# access/ who reaches what, errors/ bad and hostile input): a failure there breaks a client.
CLIENT_VISIBLE = ("api", "access", "errors")


def client_expectation(test: str) -> str | None:
    """'errors/test_client_errors.py::test_x' for a client-visible test's node id (its
    parameters dropped: one expectation, whatever the model), else None."""
    path, _, name = test.partition("::")
    parts = path.split("/")
    if len(parts) < 4 or parts[:2] != ["tests", "e2e"] or parts[2] not in CLIENT_VISIBLE:
        return None
    return f"{'/'.join(parts[2:])}::{name.split('[')[0]}"


def every_patch() -> dict[str, dict[str, Patch]]:
    """{patch name: {line version: that line's file of it}} over every line's series."""
    patches: dict[str, dict[str, Patch]] = {}
    for version, line in LINES.items():
        for patch in read_series(line.series_path) if line.series_path else []:
            patches.setdefault(patch.name, {})[version] = patch
    return dict(sorted(patches.items()))


def resolve(version: str, enterprise: str | None, log: Log) -> Path:
    """requirements for the release, hash-locked by uv like requirements/*.txt."""
    lock = checked_lock(version)
    lock.parent.mkdir(parents=True, exist_ok=True)
    wanted = [f"litellm[proxy]=={version}", BRIDGE_PRISMA]
    (lock.parent / "proxy.in").write_text("\n".join(wanted) + "\n")
    # --enterprise overrides the version litellm's proxy extra pins (an override, not a
    # second requirement, which would conflict with that pin)
    (lock.parent / "overrides.txt").write_text(f"litellm-enterprise=={enterprise}\n" if enterprise else "")
    uv = uv_command()
    if uv is None:
        raise CheckError("uv is missing from the dev environment: run ./dev setup")
    log(f"… resolving {', '.join(wanted)}" + (f" with litellm-enterprise=={enterprise}" if enterprise else ""))
    result = subprocess.run(
        [
            uv,
            "pip",
            "compile",
            "proxy.in",
            "--override",
            "overrides.txt",
            "--generate-hashes",
            "--python-version",
            "3.11",
            "--no-emit-index-url",
            "--quiet",
            "-o",
            lock.name,
        ],
        cwd=lock.parent,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        lock.unlink(missing_ok=True)
        reason = "\n".join(result.stderr.strip().splitlines()[:12])
        raise CheckError(f"litellm {version} does not resolve from the package index here:\n{reason}")
    return lock


def releases_newest_first() -> list[str]:
    """LiteLLM's releases on the package index, newest first (pip's own listing)."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "litellm"], capture_output=True, text=True, timeout=300
    )
    listed = re.search(r"^Available versions: (.+)$", result.stdout, re.M)
    if not listed:
        raise CheckError(f"the package index lists no litellm release: {result.stderr.strip()[-500:]}")
    return [version.strip() for version in listed.group(1).split(",")]


def newest_resolvable(
    releases: list[str], enterprise: str | None, log: Log, tries: int = 30
) -> tuple[str, list[tuple[str, str]]]:
    """The newest of `releases` (newest first) that resolves; (newer release, why not) for those passed over."""
    passed_over = []
    for version in releases[:tries]:
        if version in REFUSED:
            passed_over.append((version, REFUSED[version]))
            continue
        try:
            if version not in LINES:
                resolve(version, enterprise, log)
            return version, passed_over
        except CheckError as error:
            passed_over.append((version, str(error)))
    raise CheckError(
        f"none of the {tries} newest litellm releases resolves here:\n"
        + "\n".join(f"{version}: {why}" for version, why in passed_over)
    )


def pinned(lock: Path, name: str) -> str | None:
    match = re.search(rf"^{re.escape(name)}==(\S+)", lock.read_text(), re.M)
    return match.group(1) if match else None


def run_patch_tests(version: str, workdir: Path, backend: str, log: Log) -> tuple[list[dict], Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    report = workdir / "patch-tests.jsonl"
    report.unlink(missing_ok=True)
    basetemp = workdir / "pytest"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/e2e",
        "-m",
        "patch",
        "--litellm",
        version,
        "--builds",
        "unpatched",
        "--backend",
        backend,
        "-p",
        "no:cacheprovider",
        "--time-budget",
        "0",  # a release is judged by what its tests show, not by how long they take
        "-q",
        "--basetemp",
        str(basetemp),
    ]
    log(f"… the patches' regression tests on {version}, unpatched (a few minutes): {' '.join(command[3:])}")
    subprocess.run(command, cwd=ROOT, env={**os.environ, "LBF_PATCH_REPORT": str(report)})
    rows = [json.loads(line) for line in report.read_text().splitlines()] if report.is_file() else []
    return rows, basetemp


def hazards_in_logs(basetemp: Path, enterprise: str | None) -> list[str]:
    found = []
    for log_file in sorted(basetemp.rglob("logs/proxy-*.log")):
        text = log_file.read_text(errors="replace")
        for pattern, meaning in HAZARDS:
            for match in pattern.finditer(text):
                found.append(meaning.format(*match.groups(), enterprise=enterprise))
    return sorted(set(found))


def table(verdicts: list[PatchVerdict]) -> str:
    rows = [
        "| patch | on this release | tests (unpatched) "
        "| contract: client-visible tests that fail | our patch against its code |",
        "|---|---|---|---|---|",
    ]
    for v in verdicts:
        counts = (
            ", ".join(f"{n} {o}" for o in ("passed", "failed", "xfailed", "error") if (n := v.outcomes.count(o)))
            or "none ran"
        )
        contract = "<br>".join(f"`{test}`" for test in sorted(v.broken)) or "-"
        rows.append(f"| {v.name[:-6]} | {v.verdict} | {counts} | {contract} | {v.how_it_applies} |")
    return "\n".join(rows)


def contract_summary(verdicts: list[PatchVerdict]) -> list[str]:
    """How many of our client-visible expectations the release breaks, and by which patches."""
    broken = {test for v in verdicts for test in v.broken}
    if not broken:
        return ["Contract: every client-visible expectation the patches' tests hold passes on this release."]
    patches = sorted(v.name[:4] for v in verdicts if v.broken)
    return [
        f"Contract: {len(broken)} client-visible expectations fail on this release (api/, access/, errors/ tests);"
        f" patches {', '.join(patches)} restore them. A client written against the patched lines meets"
        " another answer there."
    ]


VERSION = re.compile(r"\d+(\.\d+){1,3}((a|b|rc|\.post|\.dev)\d+)?")


def check(
    version: str,
    enterprise: str | None,
    backend: str,
    log: Log,
    summary: Path | None = None,
    passed_over: Sequence[tuple[str, str]] = (),
) -> int:
    """Check a release; write the report to `summary` too (Markdown), after the newer releases passed over."""
    version = ALIASES.get(version, version)
    for what, value in (("VERSION", version), ("--enterprise", enterprise)):
        if value is not None and not VERSION.fullmatch(value):
            raise CheckError(f"{what} {value!r} is not a release version (like 1.81.6 or 0.1.28)")
    if version in REFUSED:
        raise CheckError(REFUSED[version])
    if version in LINES:  # a release line: its own proven lock, its series' patches expected to fail
        if enterprise:
            raise CheckError(
                f"{version} is a release line with its own lock "
                f"({LINES[version].lock_path.name}): check it without --enterprise"
            )
        lock = LINES[version].lock_path
    else:
        lock = resolve(version, enterprise, log)
    log(
        f"  litellm {version} with litellm-enterprise {pinned(lock, 'litellm-enterprise')}, "
        f"litellm-proxy-extras {pinned(lock, 'litellm-proxy-extras')} ({lock})"
    )
    try:
        site = site_packages(ensure_build(release_line(version).build("unpatched"), log))
    except (BuildError, UnknownLine) as error:
        raise CheckError(f"litellm {version} installs but does not build here: {error}") from error
    verdicts = [
        PatchVerdict(name, {v: dry_run(p, site) for v, p in files.items()}) for name, files in every_patch().items()
    ]
    rows, basetemp = run_patch_tests(version, checked_lock(version).parent, backend, log)
    by_name = {v.name: v for v in verdicts}
    for row in rows:
        if row["patch"] in by_name:
            verdict = by_name[row["patch"]]
            if row.get("blocked_by"):
                verdict.blocked_by.update(name[:4] for name in row["blocked_by"])
                continue
            verdict.record(row["test"], row["outcome"] if row["when"] == "call" else "error")
            if row.get("contract"):
                verdict.contracts.add(row["contract"])
    report = [f"LiteLLM {version} (litellm-enterprise {pinned(lock, 'litellm-enterprise')}):", "", table(verdicts)]
    report += ["", *contract_summary(verdicts)]
    hazards = hazards_in_logs(basetemp, pinned(lock, "litellm-enterprise"))
    if not rows:
        hazards.append("no patch test ran: see the pytest output above (did the proxy start?)")
    report += ["", "Hazards: " + ("none found" if not hazards else "")]
    report += [f"  - {hazard}" for hazard in hazards]
    if hazards:
        report.append("  Tests may fail for a hazard rather than for a patch's own bug: check again once it is gone.")
    needed = [v.name for v in verdicts if v.verdict == "still needed"]
    report += ["", f"{len(needed)} of {len(verdicts)} patches still needed on {version}."]
    wrong = series_disagreements(version, verdicts)
    report += [f"  - {line}" for line in wrong]
    log("\n" + "\n".join(report))
    if summary is not None:
        with summary.open("a") as out:
            out.write(markdown(report, passed_over))
    return 1 if wrong else 0


def series_disagreements(version: str, verdicts: Sequence[PatchVerdict]) -> list[str]:
    """For a release line: where its series and its release's tests disagree (a patch it
    carries that the release doesn't need, or one it needs and doesn't carry)."""
    line = LINES.get(version)
    if line is None or line.series_path is None:
        return []
    carried = {patch.name for patch in read_series(line.series_path)}
    found = []
    for v in verdicts:
        if v.name in carried and v.verdict.startswith("fixed upstream"):
            found.append(f"{version}'s series carries {v.name}, but its tests pass on the release as is")
        elif v.name not in carried and v.verdict == "still needed":
            found.append(f"{version}'s series lacks {v.name}, whose tests fail on the release")
    return (["The series disagrees with the release:"] + found) if found else []


def markdown(report: list[str], passed_over: Sequence[tuple[str, str]]) -> str:
    """The report for a forge's run summary: a heading, why newer releases were passed over, the rest."""
    heading, _, *rest = report  # "LiteLLM X (...):", a blank line, the table and the rest
    text = [f"## {heading.rstrip(':')}", ""]
    if passed_over:
        (newest, why), *others = passed_over
        text += [f"The newest release, {newest}, is not checked:", "", "```", why, "```", ""]
    if passed_over[1:]:
        text += [f"Nor the others newer than this one: {', '.join(version for version, _ in others)}.", ""]
    return "\n".join(text + rest) + "\n"
