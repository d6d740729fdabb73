# nixosModules.default evaluated against tests/nix/stub-nixpkgs.nix (a stub, not NixOS),
# in a few configurations, reduced to plain data for tests/nix/test_nixos_module.py:
#   nix-instantiate --eval --strict --json tests/nix/eval-module.nix
let
  root = ../..;
  stub = import ./stub-nixpkgs.nix;
  flake = import (root + "/flake.nix");
  outputs = flake.outputs {
    self = outputs // {
      outPath = root;
    };
    nixpkgs = stub "main";
    nixpkgs-prisma = stub "prisma";
  };
  pkgs = (stub "main").legacyPackages.x86_64-linux;
  inherit (pkgs) lib;
  module = outputs.nixosModules.default;
  options =
    (module {
      inherit lib pkgs;
      config = { };
    }).options.services.litellm-batch-fixes;
  defaultOf = option: option.default;
  defaults = builtins.mapAttrs (
    _: option: if option ? _option then option.default else builtins.mapAttrs (_: defaultOf) option
  ) options;
  # What the module system would hand the module: every option's value.
  evaluate =
    overrides:
    let
      cfg =
        defaults
        // overrides
        // {
          database = defaults.database // overrides.database or { };
        };
    in
    (module {
      inherit lib pkgs;
      config.services.litellm-batch-fixes = cfg;
    }).config;
  settings = {
    model_list = [
      {
        model_name = "azure-batch";
        litellm_params = {
          model = "azure/my-batch";
          api_key = "os.environ/AZURE_API_KEY";
        };
      }
    ];
  };
  yaml = pkgs.formats.yaml { };
  configFile = toString (yaml.generate "litellm-batch-fixes-config.yaml" settings);
  describe =
    option:
    let
      value = option.default;
      # store paths and numbers as strings; settings' default ({ }) as it is
      kept = value == null || builtins.isAttrs value && !(value ? outPath);
    in
    {
      inherit (option) type;
      default = if kept then value else toString value;
    };
in
{
  options = builtins.mapAttrs (_: describe) (builtins.removeAttrs options [ "database" ]) // {
    database = builtins.mapAttrs (_: describe) options.database;
  };
  proxyPackage = toString outputs.packages.x86_64-linux.proxy;
  inherit configFile;
  local = evaluate {
    enable = true;
    inherit settings;
    environmentFile = "/run/secrets/litellm-batch-fixes.env";
  };
  remote = evaluate {
    enable = true;
    database = {
      createLocally = false;
      url = "postgresql://litellm@db.internal/litellm";
    };
  };
  nowhere = evaluate {
    enable = true;
    database.createLocally = false;
  };
  disabled = evaluate { };
}
