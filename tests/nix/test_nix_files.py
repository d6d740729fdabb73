"""Every .nix file parses; flake.lock pins exactly the inputs flake.nix names."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from litellm_batch_fixes.paths import ROOT

from .conftest import run_nix

NIX_FILES = sorted([ROOT / "flake.nix", *(ROOT / "nix").rglob("*.nix"), *(ROOT / "tests/nix").rglob("*.nix")])


def test_the_flake_has_nix_files() -> None:
    assert {"flake.nix", "default.nix", "litellm.nix", "series.nix"} <= {p.name for p in NIX_FILES}


@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nix_file_parses(path, nix_env) -> None:
    result = run_nix(["nix-instantiate", "--parse", str(path)], nix_env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nix_file_layout(path) -> None:
    """What nixfmt would also insist on; nixfmt itself runs in `nix flake check`."""
    text = path.read_text()
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert [n for n, line in enumerate(text.splitlines(), 1) if line != line.rstrip() or "\t" in line] == []


NIXFMT_WIDTH = 100
IND = "''"  # the delimiter of Nix's indented strings
# nixfmt formats the code of an interpolation, even in a string: ${f x} may be wrapped.
CALL_IN_INTERPOLATION = re.compile(r"\$\{[^}\s]*\s")


def lines_inside_indented_strings(text: str) -> set[int]:
    """Line numbers (1-based) that begin inside a multi-line indented string, whose text
    nixfmt keeps as written. A small scanner: comments, "..." and indented strings, ${...}."""
    inside: set[int] = set()
    stack, depth = ["code"], [0]  # depth: open braces per code level, to find an ${...}'s end
    line, i = 1, 0
    while i < len(text):
        c, here = text[i], stack[-1]
        step = 1
        if c == "\n":
            line += 1
            if here == "indented":
                inside.add(line)
        elif here == "code":
            if c == "#":
                step = max(text.find("\n", i), i + 1) - i if "\n" in text[i:] else len(text) - i
            elif text.startswith("/*", i):
                end = text.index("*/", i) + 2
                line += text.count("\n", i, end)
                step = end - i
            elif c == '"':
                stack.append("string")
            elif text.startswith(IND, i):
                stack.append("indented")
                step = 2
            elif c == "{":
                depth[-1] += 1
            elif c == "}" and depth[-1] == 0:
                stack.pop()
                depth.pop()
            elif c == "}":
                depth[-1] -= 1
        elif text.startswith("${", i):
            stack.append("code")
            depth.append(0)
            step = 2
        elif here == "string":
            if c == "\\":
                step = 2
            elif c == '"':
                stack.pop()
        elif any(text.startswith(IND + e, i) for e in ("'", "$", "\\")):
            step = 3  # escapes inside an indented string
        elif text.startswith(IND, i):
            stack.pop()
            step = 2
        i += step
    return inside


@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nix_code_lines_fit_nixfmts_width(path) -> None:
    """RFC-style nixfmt (`nix fmt`, checks.formatting) wraps code at 100 columns and leaves the
    text of multi-line strings and comments alone, so no code line may be longer."""
    text = path.read_text()
    verbatim = lines_inside_indented_strings(text)
    too_long = [
        f"line {n}: {len(line)} columns"
        for n, line in enumerate(text.splitlines(), 1)
        if len(line) > NIXFMT_WIDTH
        and not line.lstrip().startswith("#")
        and (n not in verbatim or CALL_IN_INTERPOLATION.search(line))
    ]
    assert too_long == []


def test_the_width_check_measures_code_and_skips_string_text() -> None:
    text = "\n".join(
        [
            "{",
            '  a = "x ${b} y";',
            f"  s = {IND}",
            f"    ${{c}} text {IND}$ {IND}' more",
            f"  {IND};",
            "  d = { e = 1; }; # } not code",
            f"  t = {IND}",
            '    x "',
            f"  {IND};",
            "}",
            "",
        ]
    )
    assert lines_inside_indented_strings(text) == {4, 5, 8, 9}


# `name = arg: body` (simple parameters) stays on one line only when it fits there, or when
# the body is an attribute set, a list or an indented string, which nixfmt keeps beside the
# `=` ("absorbs"). Any other body spanning lines (a call, `let`, `if`...) makes nixfmt write
# `name =`, then `arg:`, then the body, each on its own line: nixpkgs' own nixfmt run
# (commit 5f667de3, "treewide: Format all Nix files") did that to lib/options.nix's
# `mkEnableOption = name: mkOption {`. A set pattern (`name = { a, b }: body`) is never
# absorbed either.
FUNCTION_BINDING = re.compile(
    r"^\s*(?:[\w'-]+|\$\{[^}]*\}|\"[^\"]*\")(?:\.(?:[\w'-]+|\$\{[^}]*\}|\"[^\"]*\"))*\s*=\s*"
    r"(?P<params>(?:[A-Za-z_][\w'-]*\s*:\s*)+|\{[^{}]*\}\s*:\s*)(?P<body>.*)$"
)
ABSORBED_BODY = ("{", "[", IND)


def code_of(line: str) -> str:
    """The line without a trailing `# comment` (a `#` inside a "string" is kept)."""
    in_string = False
    for i, c in enumerate(line):
        if c == '"' and (i == 0 or line[i - 1] != "\\"):
            in_string = not in_string
        elif c == "#" and not in_string:
            return line[:i].rstrip()
    return line.rstrip()


DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')


def bracket_balance(code: str) -> int:
    return sum(code.count(o) for o in "{[(") - sum(code.count(c) for c in "}])")


def function_bindings_nixfmt_would_split(text: str) -> list[int]:
    """Line numbers of `name = arg: body` whose body goes on past the line and is no
    attribute set, list or indented string (nixfmt: `name =` / `arg:` / body)."""
    verbatim = lines_inside_indented_strings(text)
    found = []
    for n, line in enumerate(text.splitlines(), 1):
        if n in verbatim:
            continue
        match = FUNCTION_BINDING.match(code_of(line))
        if match is None:
            continue
        body = DOUBLE_QUOTED.sub('""', match["body"].strip())
        set_pattern = match["params"].lstrip().startswith("{")
        one_line = body.endswith(";") and bracket_balance(body) == 0 and IND not in body
        if one_line:
            continue
        if set_pattern or not body.startswith(ABSORBED_BODY):
            found.append(n)
    return found


@pytest.mark.parametrize("path", NIX_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_nix_function_bindings_follow_nixfmts_layout(path) -> None:
    """`name = arg: f {` + lines is not what nixfmt writes (checks.formatting would fail)."""
    assert function_bindings_nixfmt_would_split(path.read_text()) == []


def test_the_layout_check_finds_function_bindings_nixfmt_would_split() -> None:
    text = "\n".join(
        [
            "{",
            "  a = x: y: x + y;",  # one line: fine
            "  b = x: {",  # an attribute set is absorbed
            "    inherit x;",
            "  };",
            "  c = description: mkOption {",  # a call spanning lines: split (5f667de3)
            "    inherit description;",
            "  };",
            "  d =",
            "    x:",
            "    f {",
            "      inherit x;",
            "    };",
            "  e = x: [",
            "    x",
            "  ];",
            "  g.h = x: # why",
            "    x;",
            "  i = { x, y }: {",  # a set pattern is not absorbed
            "    inherit x y;",
            "  };",
            f"  j = x: {IND}",
            "    text",
            f"  {IND};",
            "  k = x: let",
            "    y = x;",
            "  in y;",
            f"  s = {IND}",
            "    l = x: f {",  # text of a string, not code
            f"  {IND};",
            "}",
            "",
        ]
    )
    assert function_bindings_nixfmt_would_split(text) == [6, 17, 19, 25]


def test_flake_lock_pins_the_inputs_of_flake_nix(tmp_path, nix_env) -> None:
    """Nix itself (offline) accepts flake.lock for flake.nix without updating it."""
    for name in ("flake.nix", "flake.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    result = run_nix(
        [
            "nix",
            "flake",
            "metadata",
            "--json",
            "--offline",
            "--no-update-lock-file",
            "--store",
            str(tmp_path / "store"),
            f"path:{tmp_path}",
        ],
        nix_env,
    )
    assert result.returncode == 0, result.stderr
    nodes = json.loads(result.stdout)["locks"]["nodes"]
    assert sorted(nodes["root"]["inputs"]) == ["nixpkgs", "nixpkgs-prisma"]
    branches = dict(
        re.findall(r'^\s*([\w-]+)\.url = "github:NixOS/nixpkgs/([^"]+)";', (ROOT / "flake.nix").read_text(), re.M)
    )
    # Inputs name branches, so `nix flake update` can move them; the lock holds the revisions.
    assert branches == {"nixpkgs": "nixos-25.11", "nixpkgs-prisma": "nixos-23.11"}
    for name, branch in branches.items():
        assert nodes[name]["original"] == {"owner": "NixOS", "repo": "nixpkgs", "ref": branch, "type": "github"}
        locked = nodes[name]["locked"]
        assert (locked["owner"], locked["repo"]) == ("NixOS", "nixpkgs")
        assert re.fullmatch(r"[0-9a-f]{40}", locked["rev"])
        assert re.fullmatch(r"sha256-[A-Za-z0-9+/]{43}=", locked["narHash"])
