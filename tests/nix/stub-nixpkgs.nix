# A STUB of the few nixpkgs functions and packages the flake uses, NOT nixpkgs.
# Real nixpkgs can't be fetched on the machines that run the test suite (and needs
# Nix >= 2.18), so tests/nix evaluates flake.nix's outputs against this instead. Every
# function records its arguments and every package is a named placeholder: what the
# tests check is our wiring (which wheel, which patch order, which build the launcher
# runs), never that nixpkgs builds it.
flavour: # "main" or "prisma": which flake input this stands in for
let
  lib = rec {
    genAttrs =
      names: f:
      builtins.listToAttrs (
        map (name: {
          inherit name;
          value = f name;
        }) names
      );
    # (the separators the flake splits on are no regex metacharacters)
    splitString = sep: s: builtins.filter builtins.isString (builtins.split sep s);
    hasPrefix = prefix: s: builtins.substring 0 (builtins.stringLength prefix) s == prefix;
    removePrefix =
      prefix: s:
      if hasPrefix prefix s then
        builtins.substring (builtins.stringLength prefix) (builtins.stringLength s) s
      else
        s;
    importJSON = path: builtins.fromJSON (builtins.readFile path);
    optionalString = cond: s: if cond then s else "";
    concatStrings = builtins.concatStringsSep "";
    mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
    inherit (builtins) mapAttrs attrValues foldl';
    concatMapAttrs = f: attrs: foldl' (a: b: a // b) { } (attrValues (mapAttrs f attrs));
    filterAttrs =
      keep: attrs:
      builtins.listToAttrs (
        map (name: {
          inherit name;
          value = attrs.${name};
        }) (builtins.filter (name: keep name attrs.${name}) (builtins.attrNames attrs))
      );
    optionalAttrs = cond: attrs: if cond then attrs else { };
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
    escapeShellArgs = args: builtins.concatStringsSep " " (map escapeShellArg args);
    # nixpkgs' getExe also warns when meta.mainProgram is missing; here it is an error.
    getExe = package: "${package}/bin/${package.meta.mainProgram}";
    getBin = package: package; # the stub's packages have one output
    platforms.linux = [
      "x86_64-linux"
      "aarch64-linux"
    ];
    # The module system, as far as nix/nixos-module.nix uses it: options are records, mkIf
    # is a plain conditional (the tests pass complete option values themselves).
    mkOption = attrs: attrs // { _option = true; };
    mkEnableOption =
      description:
      mkOption {
        inherit description;
        default = false;
        type = "bool";
      };
    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };
    mkIf = cond: content: if cond then content else { };
    optional = cond: value: if cond then [ value ] else [ ];
    inherit (builtins) concatStringsSep;
    types = {
      str = "str";
      port = "port";
      bool = "bool";
      path = "path";
      package = "package";
      nullOr = type: "null or ${type}";
      ints.positive = "positive int";
    };
  };

  # A placeholder package: coerces to a fake store path, keeps what it was made from.
  fake =
    name: args:
    (args.passthru or { })
    // {
      type = "derivation";
      inherit name;
      meta = args.meta or { };
      outPath = "/nix/store/00000000000000000000000000000000-stub-${flavour}-${name}";
      stub = {
        inherit flavour;
        args = builtins.removeAttrs args [ "passthru" ];
      };
    };
  package = name: extra: fake name { } // extra;

  pkgs = {
    inherit lib;
    stdenv = {
      mkDerivation = args: fake args.name args;
      cc.cc.lib = package "gcc-lib" { };
      hostPlatform.system = "stub-system";
    };
    python311 = package "python3-3.11" {
      interpreter = "${pkgs.python311}/bin/python3.11";
      pkgs.pip = package "python3.11-pip" { };
    };
    python3Packages.pip = package "python3-pip" { };
    # The arguments nixpkgs' fetchPypi takes for a wheel; anything else is an error here.
    fetchPypi =
      {
        pname,
        version,
        format,
        dist,
        python,
        abi,
        platform,
        hash,
      }@args:
      fake "${pname}-${version}-${python}-${abi}-${platform}.whl" args;
    linkFarm = name: entries: fake name { inherit entries; };
    runCommand =
      name: env: script:
      fake name (env // { inherit script; });
    # nixpkgs sets meta.mainProgram to the name.
    writeShellApplication =
      args:
      fake args.name (
        args
        // {
          meta = {
            mainProgram = args.name;
          }
          // args.meta or { };
        }
      );
    mkShell = args: fake "shell" args;
    testers.runNixOSTest = args: fake "nixos-test-${args.name}" args;
    # The store path of a generated file depends on its content, as in nixpkgs.
    formats.yaml = _: {
      type = "yaml value";
      generate =
        name: value:
        fake "${builtins.hashString "sha256" (builtins.toJSON value)}-${name}" { inherit value; };
    };
    runtimeShell = "/nix/store/00000000000000000000000000000000-stub-bash/bin/bash";
    dockerTools = {
      buildLayeredImage = args: fake "${args.name}.tar.gz" args;
      fakeNss = package "fake-nss" { };
      caCertificates = package "ca-certificates" { };
      binSh = package "bin-sh" { };
    };
    # nixos-23.11's Prisma: CLI and engines 5.4.1.
    nodePackages.prisma = package "prisma-5.4.1" { version = "5.4.1"; };
    prisma-engines = package "prisma-engines" { version = "5.4.1"; };
  }
  // lib.genAttrs [
    "autoPatchelfHook"
    "gnupatch"
    "nixfmt"
    "nixfmt-tree"
    "nodejs"
    "openssl"
    "postgresql"
    "util-linux"
    "zlib"
  ] (name: package name { });
in
{
  inherit lib;
  legacyPackages =
    lib.genAttrs
      [
        "x86_64-linux"
        "aarch64-linux"
      ]
      (
        system:
        pkgs
        // {
          stdenv = pkgs.stdenv // {
            hostPlatform.system = system;
          };
        }
      );
}
