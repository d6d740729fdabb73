# The project files the Nix builds and checks read, copied to the store without .venv,
# .state, node_modules, `dev`, `.ci/` or the Nix files (editing a .nix file rebuilds
# nothing). What is kept: nix/source-filter.nix.
{ lib }:
let
  root = ../.;
in
builtins.path {
  path = root;
  name = "litellm-batch-fixes-source";
  filter = import ./source-filter.nix { inherit lib root; };
}
