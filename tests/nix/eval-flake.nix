# flake.nix's outputs evaluated against tests/nix/stub-nixpkgs.nix (a stub, not nixpkgs),
# reduced to plain data for tests/nix/test_flake_eval.py:
#   nix-instantiate --eval --strict --json tests/nix/eval-flake.nix
let
  root = ../..;
  flake = import (root + "/flake.nix");
  stub = import ./stub-nixpkgs.nix;
  outputs = flake.outputs {
    self = {
      outPath = root;
    };
    nixpkgs = stub "main";
    nixpkgs-prisma = stub "prisma";
  };
  str = toString;
  releases = builtins.fromJSON (builtins.readFile (root + "/requirements/lines.json"));
  attrVersion = builtins.replaceStrings [ "." ] [ "_" ];
  buildData = build: {
    inherit (build)
      series
      lock
      patched
      version
      ;
    patchFiles = map str build.patchFiles;
    script = build.stub.args.installPhase;
    wheels = wheels build;
  };
  wheels =
    build:
    map (entry: {
      file = entry.name;
      fetched = entry.path.stub.args;
    }) build.wheels.stub.args.entries;
  perSystem = system: {
    # store paths (the stub's are named after the package)
    packages = builtins.mapAttrs (_: str) outputs.packages.${system};
    litellm =
      let
        build = outputs.packages.${system}.litellm;
      in
      {
        inherit (build) series lock patched;
        patchFiles = map str build.patchFiles;
        script = build.stub.args.installPhase;
        inherit (build.stub.args) dontAutoPatchelf;
        wheels = wheels build;
      };
    litellmUnpatched =
      let
        build = outputs.packages.${system}.litellm-unpatched;
      in
      {
        inherit (build) series lock patched;
        script = build.stub.args.installPhase;
      };
    mockServer = {
      inherit (outputs.packages.${system}.mock-server) lock;
      wheels = wheels outputs.packages.${system}.mock-server;
      script = outputs.packages.${system}.mock-server.stub.args.installPhase;
    };
    proxy = {
      inherit (outputs.packages.${system}.proxy.stub.args) text;
      runtimeInputs = map str outputs.packages.${system}.proxy.stub.args.runtimeInputs;
    };
    # per release line: its two builds and (for all but the default) its launcher
    lines = builtins.mapAttrs (
      version: _:
      let
        name = attrVersion version;
        packages = outputs.packages.${system};
      in
      {
        patched = buildData packages."litellm-${name}";
        unpatched = buildData packages."litellm-${name}-unpatched";
        proxyText = (packages."proxy-${name}" or packages.proxy).stub.args.text;
      }
    ) releases.lines;
    images =
      builtins.mapAttrs
        (_: image: image.stub.args.config // { contents = map str image.stub.args.contents; })
        {
          inherit (outputs.packages.${system}) proxy-image mock-server-image;
        };
    apps = builtins.mapAttrs (_: app: { inherit (app) type program; }) outputs.apps.${system};
    devShell = {
      inherit (outputs.devShells.${system}.default.stub.args) shellHook;
      packages = map str outputs.devShells.${system}.default.stub.args.packages;
    };
    checks = builtins.mapAttrs (_: check: {
      script = check.stub.args.script or check.stub.args.testScript;
      platforms = check.stub.args.meta.platforms or null;
      nativeBuildInputs = map str (check.stub.args.nativeBuildInputs or [ ]);
    }) outputs.checks.${system};
    formatter = outputs.formatter.${system}.name;
  };
in
{
  nixosModules = builtins.attrNames outputs.nixosModules;
  systems = {
    packages = builtins.attrNames outputs.packages;
    apps = builtins.attrNames outputs.apps;
    devShells = builtins.attrNames outputs.devShells;
    checks = builtins.attrNames outputs.checks;
    formatter = builtins.attrNames outputs.formatter;
  };
  outputs = builtins.mapAttrs (system: _: perSystem system) outputs.packages;
}
