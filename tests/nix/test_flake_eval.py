"""flake.nix's outputs, evaluated against tests/nix/stub-nixpkgs.nix (a stub of nixpkgs).

This checks our wiring: which outputs exist, that the patched build applies exactly
each line's patches/<version>/series in order with the project's own code, which wheels (and hashes) each
build installs, what the launcher, images, shell and checks run. It cannot show that
nixpkgs builds any of it.
"""

from __future__ import annotations

import json
import shlex

import pytest

from litellm_batch_fixes.build import prebuilt_variable
from litellm_batch_fixes.nix_support import normalize, read_lock, sri_to_hex
from litellm_batch_fixes.patches import read_series
from litellm_batch_fixes.paths import PATCHES_DIR, REQUIREMENTS_DIR, ROOT
from litellm_batch_fixes.releases import DEFAULT, LINES

SYSTEMS = ["aarch64-linux", "x86_64-linux"]
WHEELS = json.loads((ROOT / "nix/python-wheels.json").read_text())


@pytest.fixture(params=SYSTEMS)
def outputs(request, flake_eval) -> dict:
    return flake_eval["outputs"][request.param] | {"system": request.param}


def test_every_output_exists_for_both_linux_systems(flake_eval) -> None:
    assert flake_eval["systems"] == {name: SYSTEMS for name in ("apps", "checks", "devShells", "formatter", "packages")}


def attr(version: str) -> str:
    return version.replace(".", "_")


def test_packages_apps_checks(outputs) -> None:
    packages = outputs["packages"]
    others = [f"proxy-{attr(v)}" for v in LINES if v != DEFAULT]
    per_line = [f"litellm-{attr(v)}{suffix}" for v in LINES for suffix in ("", "-unpatched")]
    assert sorted(packages) == sorted(
        [
            "default",
            "litellm",
            "litellm-unpatched",
            "mock-server",
            "mock-server-image",
            "prisma-engines",
            "proxy",
            "proxy-image",
            *per_line,
            *others,
        ]
    )
    assert packages["default"] == packages["proxy"]
    # `litellm` is the default line's
    assert packages["litellm"] == packages[f"litellm-{attr(DEFAULT)}"]
    assert packages["litellm-unpatched"] == packages[f"litellm-{attr(DEFAULT)}-unpatched"]
    assert sorted(outputs["apps"]) == sorted(["default", "mock-server", "proxy", "proxy-unpatched", *others])
    assert outputs["apps"]["default"] == outputs["apps"]["proxy"]
    assert all(app["type"] == "app" for app in outputs["apps"].values())
    assert outputs["apps"]["proxy"]["program"] == packages["proxy"] + "/bin/litellm-batch-fixes-proxy"
    assert outputs["apps"]["mock-server"]["program"] == packages["mock-server"] + "/bin/mock-openai-server"
    assert sorted(outputs["checks"]) == ["e2e", "formatting", "nixos-vm", "series", "unit"]
    assert outputs["formatter"] == "nixfmt-tree"


def nix_support_calls(script: str, command: str) -> list[list[str]]:
    calls = []
    for line in script.splitlines():
        if "litellm_batch_fixes.nix_support" not in line:
            continue
        words = shlex.split(line)
        if command in words:
            calls.append(words[words.index(command) + 1 :])
    return calls


@pytest.mark.parametrize("version", LINES)
def test_each_lines_patched_build_applies_its_series_in_order(outputs, version) -> None:
    litellm = outputs["lines"][version]["patched"]
    series = [str(p.path.relative_to(PATCHES_DIR)) for p in read_series(LINES[version].series_path)]
    assert litellm["patched"] is True and litellm["series"] == series and litellm["version"] == version
    if not series:
        assert nix_support_calls(litellm["script"], "apply-patches") in ([], [["$site"]])
        return
    [call] = nix_support_calls(litellm["script"], "apply-patches")
    assert call[0] == "$site"
    assert [path.rsplit("/patches/", 1)[1] for path in call[1:]] == series
    assert call[1:] == litellm["patchFiles"]


@pytest.mark.parametrize("version", LINES)
def test_each_line_installs_its_own_lock(outputs, version) -> None:
    lock = LINES[version].lock
    for flavour in ("patched", "unpatched"):
        build = outputs["lines"][version][flavour]
        assert build["lock"] == lock and f"/requirements/{lock}.txt" in build["script"]
        assert [w["file"] for w in build["wheels"]] == WHEELS["locks"][lock][outputs["system"]]
    pins = read_lock(LINES[version].lock_path)
    assert pins["litellm"]["pin"] == f"litellm=={version}"


@pytest.mark.parametrize("version", LINES)
def test_each_lines_launcher_runs_its_builds(outputs, version) -> None:
    """`nix run .#proxy` is the default line; `.#proxy-1_108_7` the other, told by
    LITELLM_BATCH_FIXES_LITELLM, with that line's builds in their variables."""
    text = outputs["lines"][version]["proxyText"]
    line = LINES[version]
    assert exported(text, "LITELLM_BATCH_FIXES_LITELLM") == version
    for flavour in ("patched", "unpatched"):
        build_path = outputs["packages"][f"litellm-{attr(version)}" + ("" if flavour == "patched" else "-unpatched")]
        assert exported(text, prebuilt_variable(line.build(flavour))) == build_path + "/bin/python"


@pytest.mark.parametrize("build", ["litellm", "litellmUnpatched"])
def test_both_builds_register_the_hook_and_generate_the_client(outputs, build) -> None:
    script = outputs[build]["script"]
    [hooks] = nix_support_calls(script, "register-hooks")
    assert hooks[0] == "$site" and hooks[1].endswith("-litellm-batch-fixes-source/hook-registration")
    [generate] = nix_support_calls(script, "generate-client")
    assert generate == ["$out/bin/python", "$site/litellm/proxy/schema.prisma"]
    # byte-compiled last, patches and the generated client included (the store is read-only)
    [compiled] = nix_support_calls(script, "compile-bytecode")
    assert compiled == ["$out/bin/python", "$site"]
    assert script.index("generate-client") < script.index("compile-bytecode")
    # the engines of the older nixpkgs input, not the bridge
    assert "stub-prisma-prisma-engines/bin/query-engine" in script
    assert "--require-hashes -r" in script and "/requirements/proxy.txt" in script and "--no-index" in script


def exported(script: str, name: str) -> str:
    [value] = [
        shlex.split(line.split("=", 1)[1])[0]
        for line in script.splitlines()
        if line.strip().startswith(f"export {name}=")
    ]
    return value


@pytest.mark.parametrize("build", ["litellm", "litellmUnpatched"])
def test_generate_expects_the_engine_of_the_cli_it_runs(outputs, build) -> None:
    """nixos-23.11's Prisma CLI is 5.4.1 (engine 2f302df...), not the 5.4.2 (ac9d704...)
    prisma-client-py 0.11.0 expects by default: unless the build says which engine to expect,
    `prisma generate` refuses, and every build fails. nix_support generate-client then checks
    the CLI bundle carries that hash (prisma_engine.check_cli_engine)."""
    script = outputs[build]["script"]
    assert exported(script, "PRISMA_EXPECTED_ENGINE_VERSION") == "2f302df92bd8945e20ad4595a73def5b96afa54f"
    assert exported(script, "PRISMA_VERSION") == "5.4.1"
    assert exported(script, "PRISMA_BINARY_CACHE_DIR").endswith("-prisma-cli-cache-5.4.1")
    assert script.index("export PRISMA_EXPECTED_ENGINE_VERSION=") < script.index("generate-client")


@pytest.mark.parametrize("build", ["litellm", "litellmUnpatched"])
def test_libraries_are_patched_before_the_client_is_generated(outputs, build) -> None:
    """`prisma generate` imports the installed wheels (pydantic-core...): their libraries must
    be linked to nixpkgs' first, so autoPatchelf runs in installPhase, not after it."""
    script = outputs[build]["script"]
    assert outputs["litellm"]["dontAutoPatchelf"] is True
    assert script.index("autoPatchelf -- $out") < script.index("generate-client")
    assert script.index("pip --python $out/bin/python install") < script.index("autoPatchelf")
    # pip of the default Python set (binary cache), not python311Packages.pip
    assert "-stub-main-python3-pip/bin/pip --python" in script


def test_unpatched_build_applies_nothing(outputs) -> None:
    assert outputs["litellmUnpatched"]["patched"] is False
    assert nix_support_calls(outputs["litellmUnpatched"]["script"], "apply-patches") == []


@pytest.mark.parametrize("build,lock", [("litellm", "proxy"), ("mockServer", "mock-server")])
def test_builds_fetch_exactly_the_locks_wheels_with_the_locks_hashes(outputs, build, lock) -> None:
    pins = read_lock(REQUIREMENTS_DIR / f"{lock}.txt")
    wheels = outputs[build]["wheels"]
    assert [w["file"] for w in wheels] == WHEELS["locks"][lock][outputs["system"]]
    fetched = {normalize(w["fetched"]["pname"]): w["fetched"] for w in wheels}
    assert sorted(fetched) == sorted(pins)
    for name, args in fetched.items():
        assert f"{name}=={args['version']}" == pins[name]["pin"]
        assert sri_to_hex(args["hash"]) in pins[name]["hashes"]
        assert args["format"] == "wheel"


def test_launcher_runs_dev_proxy_with_the_nix_builds(outputs) -> None:
    text = outputs["proxy"]["text"]
    packages = outputs["packages"]
    assert exported(text, "LITELLM_BATCH_FIXES_PATCHED_PYTHON") == f"{packages['litellm']}/bin/python"
    assert exported(text, "LITELLM_BATCH_FIXES_UNPATCHED_PYTHON") == f"{packages['litellm-unpatched']}/bin/python"
    assert "export LITELLM_BATCH_FIXES_ROOT=" in text
    # a user's own engine (e.g. the bridge) wins over Nix's
    assert 'export PRISMA_QUERY_ENGINE_BINARY="${PRISMA_QUERY_ENGINE_BINARY:-' in text
    assert text.rstrip().endswith('-m litellm_batch_fixes proxy "$@"')
    assert any(path.endswith("-postgresql") for path in outputs["proxy"]["runtimeInputs"])


def test_images_run_the_launcher_and_the_mock(outputs) -> None:
    images, packages = outputs["images"], outputs["packages"]
    assert images["proxy-image"]["Entrypoint"] == [packages["proxy"] + "/bin/litellm-batch-fixes-proxy"]
    assert images["proxy-image"]["User"] == "nobody"
    # the launcher runs under nounset and prepends to PATH: an image without PATH would stop it
    assert any(env.startswith("PATH=") for env in images["proxy-image"]["Env"])
    # pg_ctl starts the embedded PostgreSQL through /bin/sh: the image must have one
    assert any(item.endswith("-bin-sh") for item in images["proxy-image"]["contents"])
    assert images["mock-server-image"]["Entrypoint"] == [packages["mock-server"] + "/bin/mock-openai-server"]


def test_dev_shell_says_how_to_run_the_proxy_and_the_tests(outputs) -> None:
    hook = outputs["devShell"]["shellHook"]
    assert "python -m litellm_batch_fixes proxy" in hook and "python -m pytest tests --backend local" in hook
    assert any(p.endswith("-postgresql") for p in outputs["devShell"]["packages"])
    assert any(p.endswith("-nodejs") for p in outputs["devShell"]["packages"])


def test_checks_run_the_suite_on_the_local_backend(outputs) -> None:
    checks = outputs["checks"]
    assert "tests/e2e --backend local" in checks["e2e"]["script"].replace("'", "")
    assert "tests/unit/test_patch_series.py" in checks["series"]["script"]
    for name in ("e2e", "unit", "series"):
        # loopback in the build sandbox: Linux only, checked first with a plain message
        assert checks[name]["platforms"] == ["x86_64-linux", "aarch64-linux"]
        assert "needs a loopback interface in the build sandbox" in checks[name]["script"]
        assert any(p.endswith("-postgresql") for p in checks[name]["nativeBuildInputs"])
        for version, line in LINES.items():
            for flavour, suffix in (("patched", ""), ("unpatched", "-unpatched")):
                path = outputs["packages"][f"litellm-{attr(version)}{suffix}"] + "/bin/python"
                assert exported(checks[name]["script"], prebuilt_variable(line.build(flavour))) == path
        assert "--litellm all" in checks[name]["script"].replace("'", "")
        # tests that run ./dev or git can't pass in the sandbox's source (no dev, no .git)
        assert "-m 'not needs_checkout'" in checks[name]["script"]


def test_the_nixos_module_is_offered_and_its_vm_test_is_a_check(flake_eval, outputs) -> None:
    assert flake_eval["nixosModules"] == ["default"]
    script = outputs["checks"]["nixos-vm"]["script"]
    assert 'wait_for_unit("litellm-batch-fixes-migrate.service")' in script
    assert "tests/nixos/lifecycle.py create" in script and "tests/nixos/lifecycle.py check" in script
    assert script.index("create") < script.index('succeed("systemctl restart') < script.index("check {ids}")
