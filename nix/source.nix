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
  topLevel = path: builtins.head (lib.splitString "/" (lib.removePrefix (toString root + "/") path));
in
builtins.path {
  path = root;
  name = "litellm-batch-fixes-source";
  filter =
    path: type: builtins.elem (topLevel (toString path)) wanted && !(builtins.elem (baseNameOf path) skipped);
}
