# Every .nix file is formatted as `nix fmt` (nixfmt) leaves it.
{
  runCommand,
  nixfmt,
}:
let
  nixFiles = builtins.path {
    path = ../..;
    name = "litellm-batch-fixes-nix-files";
    # directories other than .git, .venv, node_modules...; files ending in .nix
    filter =
      path: type:
      let
        name = baseNameOf path;
      in
      if type == "directory" then
        builtins.substring 0 1 name != "." && name != "node_modules"
      else
        builtins.match ".*\\.nix" name != null;
  };
in
runCommand "litellm-batch-fixes-check-formatting"
  {
    nativeBuildInputs = [ nixfmt ];
    meta.description = "nixfmt --check on every .nix file";
  }
  ''
    find ${nixFiles} -name '*.nix' -print0 | xargs -0 nixfmt --check
    touch $out
  ''
