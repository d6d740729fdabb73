# A directory of the wheels one lock (requirements/<lock>.txt) needs on `system`, each
# fetched by nixpkgs' fetchPypi with the lock's own sha256 (see python-wheels.json).
{
  lib,
  fetchPypi,
  linkFarm,
  system,
}:
let
  index = lib.importJSON ./python-wheels.json;
  fetch =
    file:
    let
      wheel = index.wheels.${file};
    in
    {
      name = file;
      path = fetchPypi {
        inherit (wheel)
          pname
          version
          format
          dist
          python
          abi
          platform
          hash
          ;
      };
    };
in
lock:
if index.locks.${lock} ? ${system} then
  linkFarm "wheels-${lock}-${system}" (map fetch index.locks.${lock}.${system})
else
  throw "nix/python-wheels.json has no ${lock} wheels for ${system}"
