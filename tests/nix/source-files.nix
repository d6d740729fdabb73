# The files of a list that nix/source.nix would copy to the store, by its own filter
# (nix/source-filter.nix) applied as builtins.path applies it: to each file and to every
# directory above it. The list is the tracked files (`git ls-files`, one a line), since a
# flake's source holds only those. Used by the sandbox rehearsal:
#   nix-instantiate --eval --strict --json tests/nix/source-files.nix --argstr list FILE
{ list }:
let
  root = ../..;
  inherit ((import ./stub-nixpkgs.nix "main")) lib;
  keep = import ../../nix/source-filter.nix { inherit lib root; };
  files = builtins.filter (name: name != "") (lib.splitString "\n" (builtins.readFile list));
  # "a/b/c" -> [ "a" "a/b" ]
  parents =
    name:
    let
      parts = lib.splitString "/" name;
      count = builtins.length parts;
    in
    builtins.genList (
      n: builtins.concatStringsSep "/" (builtins.genList (builtins.elemAt parts) (n + 1))
    ) (count - 1);
  kept =
    name:
    builtins.all (dir: keep "${toString root}/${dir}" "directory") (parents name)
    && keep "${toString root}/${name}" "regular";
in
builtins.filter kept files
