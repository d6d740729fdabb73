"""`./dev` commands: setup, proxy, migrate, mock-server, test, fuzz, soak, check-release, bench, lint,
sandbox-rehearsal.

`--litellm VERSION` picks the release line (default 1.80.10; `latest` is the newest line).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .bench.sections import SECTIONS, Options
from .build import ensure_build
from .check_release import CheckError
from .errors import BatchFixesError
from .paths import DEFAULT_CONFIG, DEFAULT_STATE_DIR, ROOT
from .releases import FLAVOURS, LINES, line, lines

# When the command started: ./dev sets it before it builds its own environment.
COMMAND_STARTED = float(os.environ.get("LBF_COMMAND_STARTED") or time.time())


def log(message: str) -> None:
    print(message, flush=True)


def cmd_setup(args: argparse.Namespace) -> int:
    started = time.monotonic()
    for release in lines(args.litellm):
        for flavour in args.builds or FLAVOURS:
            ensure_build(release.build(flavour), log)
    log(f"setup done in {time.monotonic() - started:.1f}s")
    return 0


def _raise_on_sigterm() -> None:
    def handler(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def database_url_given(what_to_do: str) -> bool:
    """Whether $DATABASE_URL is set; if not, says so (the caller exits 2)."""
    if os.environ.get("DATABASE_URL"):
        return True
    print(f"error: DATABASE_URL is not set: {what_to_do}", file=sys.stderr)
    return False


def cmd_proxy(args: argparse.Namespace) -> int:
    from .stack import Stack

    _raise_on_sigterm()
    if args.require_database_url and not database_url_given(
        "name the PostgreSQL database the proxy keeps its state in"
    ):
        return 2
    release = line(args.litellm)
    build = release.build("unpatched" if args.unpatched else "patched")
    # Each line keeps its own database: a newer line's migrations would change the default's.
    args.state_dir = args.state_dir or (
        DEFAULT_STATE_DIR if release.is_default else Path(f"{DEFAULT_STATE_DIR}-{release.version}")
    )
    stack = Stack(
        state_dir=args.state_dir,
        config=args.config,
        build=build,
        host=args.host,
        port=args.port,
        database_url=os.environ.get("DATABASE_URL"),
        mock_url=args.mock_url,
        batch_polling_interval=args.batch_polling_interval,
        log=log,
    )
    url_file = args.state_dir / "url"
    try:
        stack.start()
        assert stack.proxy is not None, "a started stack has its proxy"
        database = (
            "$DATABASE_URL"
            if os.environ.get("DATABASE_URL")
            else f"embedded PostgreSQL, data in {args.state_dir / 'postgres'}"
        )
        log(f"\nLiteLLM proxy ({stack.build}) ready in {time.time() - COMMAND_STARTED:.1f}s at {stack.url}")
        log(f"  master key: {stack.master_key}  (from {stack.key_source})")
        log(f"  database:   {database}")
        if stack.mock_url:
            log(f"  upstream:   mock server at {stack.mock_url}")
        log(f"  logs:       {args.state_dir / 'logs'}\nCtrl-C stops everything.")
        url_file.write_text(stack.url + "\n")  # for a health check that can't know the port
        code = follow(stack.proxy) if args.follow_logs else stack.proxy.process.wait()
        log(f"the proxy exited with code {code}; see {stack.proxy.log_path}")
        return code or 1
    except KeyboardInterrupt:
        log("\nstopping…")
        return 0
    finally:
        url_file.unlink(missing_ok=True)
        stack.stop()


def follow(service) -> int:
    """Copy the service's log to stdout until it exits (a container's log is its stdout)."""
    with open(service.log_path, "rb") as log_file:
        while True:
            exited = service.process.poll()
            chunk = log_file.read()
            if chunk:
                sys.stdout.buffer.write(chunk)
                sys.stdout.flush()
            if exited is not None:
                return exited
            time.sleep(0.5)


def cmd_migrate(args: argparse.Namespace) -> int:
    """The schema step of `proxy` alone, for a service manager to run before the proxy."""
    from .stack import migrate

    if not database_url_given("name the database to migrate"):
        return 2
    database_url = os.environ["DATABASE_URL"]
    python = ensure_build(line(args.litellm).build("unpatched" if args.unpatched else "patched"), log)
    applied = migrate(python, database_url, log)
    log(f"{len(applied)} migrations applied now, the rest were already")
    return 0


def cmd_mock_server(args: argparse.Namespace) -> int:
    """The server replaces this process (exec), so SIGTERM/SIGINT reach it directly and
    `./dev mock-server` exits when it does."""
    command = [sys.executable, "-m", "mock_openai_server", "--host", args.host, "--port", str(args.port)]
    sys.stdout.flush()
    os.execv(sys.executable, command)


def pytest_option(pytest_args: list[str], name: str) -> str | None:
    """The value of `--name X` or `--name=X` among pytest's arguments (the last one wins)."""
    value = None
    for i, arg in enumerate(pytest_args):
        if arg == name and i + 1 < len(pytest_args):
            value = pytest_args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def cmd_test(args: argparse.Namespace) -> int:
    if {"-h", "--help"} & set(args.pytest_args):
        return print_test_help()
    spec = pytest_option(args.pytest_args, "--litellm") or os.environ.get("LBF_TEST_LITELLM", "default")
    for release in lines(spec):  # up front, so a first run shows its progress, not a silent minute
        for flavour in FLAVOURS if release.series_path else ("unpatched",):  # a checked release: as is
            ensure_build(release.build(flavour), log)
    command = [sys.executable, "-m", "pytest", *args.pytest_args]
    return subprocess.call(command, cwd=ROOT)


def print_test_help() -> int:
    """pytest's help with the project's own options first, without building anything."""
    text = subprocess.run([sys.executable, "-m", "pytest", "--help"], cwd=ROOT, capture_output=True, text=True).stdout
    lines_ = text.splitlines()
    start = next((i for i, text_line in enumerate(lines_) if text_line.startswith("litellm-batch-fixes:")), None)
    if start is not None:
        end = next((i for i in range(start + 1, len(lines_)) if lines_[i] and not lines_[i][0].isspace()), len(lines_))
        print("./dev test [PYTEST ARGUMENTS]: the project's options, then pytest's own\n")
        print("\n".join(lines_[start:end]).rstrip() + "\n")
    print(text, end="")
    return 0


def run_one_test_file(litellm: str, path: str, options: list[str], pytest_args: list[str]) -> int:
    """One e2e test file on the line's patched build, without the suite's time budget."""
    ensure_build(line(litellm).build("patched"), log)
    command = [sys.executable, "-m", "pytest", path, f"--litellm={litellm}", "--builds=patched", "--time-budget=0"]
    return subprocess.call([*command, "-ra", *options, *pytest_args], cwd=ROOT)


def cmd_fuzz(args: argparse.Namespace) -> int:
    """The generated-requests test (OpenAI's API description through schemathesis), longer;
    --side-by-side: each request to both patched lines, their answers compared."""
    options = [f"--fuzz-examples={args.examples}", f"--fuzz-seed={args.seed}"]
    if args.side_by_side:
        log(f"fuzz: {args.examples} examples per operation and mode, seed {args.seed}, both lines side by side")
        return run_one_test_file("all", "tests/e2e/operations/test_one_api.py", options, args.pytest_args)
    log(f"fuzz: {args.examples} examples per operation and mode, seed {args.seed}, LiteLLM {args.litellm}")
    return run_one_test_file(args.litellm, "tests/e2e/errors/test_generated_requests.py", options, args.pytest_args)


def cmd_soak(args: argparse.Namespace) -> int:
    """The soak test (two replicas, faults, kills, a PostgreSQL restart), for longer."""
    log(f"soak: {args.seconds} s of load on two replicas of LiteLLM {args.litellm}, then the checks")
    options = [f"--soak-seconds={args.seconds}", "-s"]  # -s: the report, also when it passes
    return run_one_test_file(args.litellm, "tests/e2e/operations/test_soak.py", options, args.pytest_args)


def cmd_check_release(args: argparse.Namespace) -> int:
    from .check_release import check, newest_resolvable, releases_newest_first

    if (args.version is None) == (not args.newest):
        raise CheckError("check-release takes a VERSION or --newest")
    passed_over: list[tuple[str, str]] = []
    version = args.version
    if args.newest:
        version, passed_over = newest_resolvable(releases_newest_first(), args.enterprise, log)
        for newer, why in passed_over:
            log(f"  {newer} passed over: {why}")
        log(f"  the newest release that resolves: {version}")
    return check(version, args.enterprise, args.backend, log, args.summary, passed_over)


def cmd_lint(args: argparse.Namespace) -> int:
    from .lint import run

    return run(log, fix_first=args.fix)


def cmd_docs(args: argparse.Namespace) -> int:
    from .docs import PATCHES_DOC, check, write

    if args.check:
        if check():
            return 0
        print(f"error: {PATCHES_DOC.relative_to(ROOT)} is not current: run ./dev docs", file=sys.stderr)
        return 1
    log(f"wrote {write().relative_to(ROOT)}")
    return 0


def cmd_sandbox_rehearsal(args: argparse.Namespace) -> int:
    from .sandbox_rehearsal import rehearse

    return rehearse(args.checks or None, e2e_select=args.e2e_select, log=log, keep=args.keep)


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench.runner import run

    unknown = set(args.only or ()) - set(SECTIONS)
    if unknown:
        print(
            f"error: unknown section {', '.join(sorted(unknown))}: choose from {', '.join(SECTIONS)}", file=sys.stderr
        )
        return 2
    build = line(args.litellm).build(args.build or ("unpatched" if args.unpatched else "patched"))
    run(
        Options(
            build=build,
            work_dir=args.work_dir,
            json_path=args.json or args.work_dir / "results.json",
            sections=tuple(args.only or SECTIONS),  # the names
            requests=args.requests,
            restarts=args.restarts,
            quick=args.quick,
        ),
        log,
    )
    return 0


def positive_seconds(value: str) -> int:
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if seconds < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of seconds >= 1")
    return seconds


PROXY_ENVIRONMENT = """environment:
  DATABASE_URL                  the PostgreSQL to keep state in (default: an embedded one in STATE_DIR)
  LITELLM_MASTER_KEY            the master key (default: generated once into STATE_DIR/master-key)
  LITELLM_SALT_KEY              the key that encrypts stored credentials (default: STATE_DIR/salt-key)
  MOCK_SERVER_URL               as --mock-url
  PROXY_BATCH_POLLING_INTERVAL  as --batch-polling-interval
  PRISMA_QUERY_ENGINE_BINARY    Prisma's native query engine, used instead of the bundled bridge
  LITELLM_BATCH_FIXES_VENVS     where the builds go (default: .venv)
  AZURE_API_BASE, AZURE_API_KEY, AZURE_BATCH_DEPLOYMENT
                                a real Azure OpenAI deployment (the template in litellm-config.yaml)

It prints the URL, the master key and the database when ready, writes the URL to
STATE_DIR/url while it runs, and keeps logs in STATE_DIR/logs. Only one ./dev proxy runs
on a state directory at a time."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="./dev", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    # The Nix launcher of another line names it in LITELLM_BATCH_FIXES_LITELLM.
    chosen_line = os.environ.get("LITELLM_BATCH_FIXES_LITELLM", "default")
    litellm_help = f"release line: {', '.join(LINES)}, default or latest (default: {line(chosen_line).version})"
    setup = sub.add_parser("setup", help="build the patched and unpatched proxy environments")
    setup.add_argument("builds", nargs="*", metavar="BUILD", help="patched and/or unpatched (default: both)")
    setup.add_argument(
        "--litellm",
        default=chosen_line,
        metavar="VERSION",
        help=litellm_help.replace("release line:", "release lines (or all):"),
    )
    setup.set_defaults(func=cmd_setup)

    proxy = sub.add_parser(
        "proxy",
        help="run the proxy on PostgreSQL with the mock upstream",
        description="Build the proxy (once), start PostgreSQL (embedded unless $DATABASE_URL) and the mock "
        "upstream (when the config uses it), apply LiteLLM's schema, run the proxy until Ctrl-C.",
        epilog=PROXY_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    proxy.add_argument("--unpatched", action="store_true", help="run the build without patches")
    proxy.add_argument("--litellm", default=chosen_line, metavar="VERSION", help=litellm_help)
    proxy.add_argument("--port", type=int, default=4000, help="the proxy's port (default: 4000)")
    proxy.add_argument(
        "--host", default="127.0.0.1", help="the address it listens on (default: 127.0.0.1, this machine only)"
    )
    proxy.add_argument(
        "--state-dir",
        type=Path,
        help=f"database, mock state, keys and logs (default: {DEFAULT_STATE_DIR}, "
        f"{DEFAULT_STATE_DIR}-VERSION for another line)",
    )
    proxy.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help="LiteLLM's config: models and deployments (default: litellm-config.yaml)",
    )
    proxy.add_argument(
        "--batch-polling-interval",
        type=positive_seconds,
        metavar="SECONDS",
        help="how often the batch cost poller records finished batches' spend "
        "(default: $PROXY_BATCH_POLLING_INTERVAL, else LiteLLM's 3600)",
    )
    proxy.add_argument(
        "--mock-url",
        default=os.environ.get("MOCK_SERVER_URL") or None,
        metavar="URL",
        help="a mock server already running, for a config that uses the mock "
        "(default: $MOCK_SERVER_URL, else one is started)",
    )
    proxy.add_argument(
        "--require-database-url",
        action="store_true",
        help="refuse to start without $DATABASE_URL rather than start an embedded PostgreSQL",
    )
    proxy.add_argument(
        "--follow-logs", action="store_true", help="also copy the proxy's log to stdout (for containers)"
    )
    proxy.set_defaults(func=cmd_proxy)

    migrate = sub.add_parser("migrate", help="apply LiteLLM's schema to $DATABASE_URL and exit")
    migrate.add_argument("--unpatched", action="store_true", help="the schema of the unpatched build")
    migrate.add_argument("--litellm", default=chosen_line, metavar="VERSION", help=litellm_help)
    migrate.set_defaults(func=cmd_migrate)

    mock = sub.add_parser("mock-server", help="run the mock Azure OpenAI / OpenAI server")
    mock.add_argument("--port", type=int, default=8090)
    mock.add_argument("--host", default="127.0.0.1")
    mock.set_defaults(func=cmd_mock_server)

    check = sub.add_parser("check-release", help="which patches a LiteLLM release still needs")
    check.add_argument("version", nargs="?", help="a LiteLLM version on the package index, e.g. 1.81.6")
    check.add_argument(
        "--newest",
        action="store_true",
        help="the newest release on the package index that resolves (and why each newer one doesn't)",
    )
    check.add_argument("--summary", type=Path, metavar="FILE", help="append the report to FILE as Markdown")
    check.add_argument(
        "--enterprise", metavar="X", help="litellm-enterprise version (default: the one litellm's proxy extra pins)"
    )
    check.add_argument(
        "--backend",
        choices=("auto", "containers", "local"),
        default="auto",
        help="how the test services start (as for ./dev test)",
    )
    check.set_defaults(func=cmd_check_release)

    lint = sub.add_parser("lint", help="ruff, mypy, shellcheck, actionlint and the Nix files' layout")
    lint.add_argument("--fix", action="store_true", help="first let ruff format and fix what it can")
    lint.set_defaults(func=cmd_lint)

    docs = sub.add_parser("docs", help="write docs/patches.md from the patches' DEP-3 headers and their tests")
    docs.add_argument("--check", action="store_true", help="only say whether it is current (exit 1 if not)")
    docs.set_defaults(func=cmd_docs)

    rehearsal = sub.add_parser(
        "sandbox-rehearsal",
        help="each flake check's command as Nix's build sandbox runs it (root; after ./dev setup --litellm all)",
    )
    rehearsal.add_argument(
        "checks", nargs="*", metavar="CHECK", help="series, unit, e2e, formatting, apps.proxy (default: all)"
    )
    rehearsal.add_argument(
        "--e2e-select",
        default="-k lifecycle",
        metavar="PYTEST_ADDOPTS",
        help="what of checks.e2e to run (default: the lifecycle tests, every build of both lines; '' runs all of it)",
    )
    rehearsal.add_argument("--keep", action="store_true", help="keep each builder's directory (logs) and name it")
    rehearsal.set_defaults(func=cmd_sandbox_rehearsal)

    bench = sub.add_parser("bench", help="measure the proxy against its upstream (table + JSON)")
    bench.add_argument("--litellm", default=chosen_line, metavar="VERSION", help=litellm_help)
    bench.add_argument("--unpatched", action="store_true", help="measure the build without patches")
    bench.add_argument("--build", help="another build of the line, e.g. without-0030 (a figure before a patch)")
    bench.add_argument(
        "--only",
        type=lambda v: v.split(","),
        metavar="SECTION[,SECTION]",
        help="the sections to run (default: all): " + "; ".join(f"{s.name}: {s.what}" for s in SECTIONS.values()),
    )
    bench.add_argument("--requests", type=int, default=40, help="requests per latency figure (default: 40)")
    bench.add_argument("--restarts", type=int, default=3, help="warm restarts timed (default: 3)")
    bench.add_argument("--quick", action="store_true", help="a smoke run: few requests, small sizes")
    bench.add_argument(
        "--work-dir",
        type=Path,
        default=Path(".bench"),
        help="its stack's state (removed at each run) and results (default: .bench)",
    )
    bench.add_argument("--json", type=Path, help="where the results go (default: WORK_DIR/results.json)")
    bench.set_defaults(func=cmd_bench)

    fuzz = sub.add_parser(
        "fuzz", help="send requests generated from OpenAI's API description (schemathesis) to patched builds"
    )
    fuzz.add_argument("--litellm", default=chosen_line, metavar="VERSION", help=litellm_help)
    fuzz.add_argument(
        "--examples", type=int, default=200, help="examples per operation and mode (default: 200; the suite's: 15)"
    )
    fuzz.add_argument("--seed", type=int, default=0, help="the sequence of generated requests (default: 0)")
    fuzz.add_argument(
        "--side-by-side",
        action="store_true",
        help="send each request to patched 1.80.10 and 1.108.7 and compare their answers (status, error param)",
    )
    fuzz.set_defaults(func=cmd_fuzz)

    soak = sub.add_parser(
        "soak", help="two replicas on one PostgreSQL under load, upstream faults, kills and a database restart"
    )
    soak.add_argument("--litellm", default=chosen_line, metavar="VERSION", help=litellm_help)
    soak.add_argument(
        "--seconds", type=positive_seconds, default=300, help="the load phase (default: 300; ./dev test runs 30)"
    )
    soak.set_defaults(func=cmd_soak)

    sub.add_parser("python", help="the dev Python, with the pinned openai SDK (e.g. ./dev python examples/…)")
    test = sub.add_parser("test", help="run the test suite (arguments go to pytest)")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    test.set_defaults(func=cmd_test)
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["test"]:  # everything after `test` belongs to pytest, options included
        args = argparse.Namespace(func=cmd_test, pytest_args=argv[1:])
    elif argv[:1] == ["python"]:  # the dev Python itself, for the examples
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, *argv[1:]])
    else:
        top = parser()
        args, rest = top.parse_known_args(argv)
        if rest and args.func not in (cmd_fuzz, cmd_soak):  # they hand the rest to pytest (-k DELETE)
            top.error(f"unrecognized arguments: {' '.join(rest)}")
        args.pytest_args = rest
    try:
        return args.func(args)
    except BatchFixesError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
