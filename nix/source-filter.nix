# Which project files the Nix builds and checks read (nix/source.nix copies them to the
# store): the top-level entries in `wanted`, without caches and node_modules anywhere.
# Kept apart from source.nix so the sandbox rehearsal (.ci/nix-sandbox-rehearsal) copies
# exactly the files this filter keeps, evaluated, not re-implemented.
{ lib, root }:
let
  wanted = [
    "examples"
    "hook-registration"
    "litellm-config.yaml"
    "mock-server"
    "patches"
    "pyproject.toml"
    "requirements"
    "src"
    "tests"
  ];
  skipped = [
    "__pycache__"
    ".pytest_cache"
    "node_modules"
  ];
  relative = path: lib.removePrefix (toString root + "/") (toString path);
  topLevel = path: builtins.head (lib.splitString "/" (relative path));
in
path: type: builtins.elem (topLevel path) wanted && !(builtins.elem (baseNameOf path) skipped)
