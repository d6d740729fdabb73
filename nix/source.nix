# The project files the Nix builds and checks read, copied to the store without
# .venv, .state, node_modules or the Nix files (editing a .nix file rebuilds nothing).
{ lib }:
let
  root = ../.;
  wanted = [
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
builtins.path {
  path = root;
  name = "litellm-batch-fixes-source";
  filter =
    path: type: builtins.elem (topLevel path) wanted && !(builtins.elem (baseNameOf path) skipped);
}
