# `nixosModules.default`: services.litellm-batch-fixes, the patched proxy as a system service.
# The schema is applied by a oneshot unit (`python -m litellm_batch_fixes migrate`, the step
# `./dev proxy` runs) before the proxy starts; the database is a local PostgreSQL reached over
# its Unix socket with peer authentication, or any `database.url`. Secrets come from
# `environmentFile` only, never from the Nix store.
{ packagesFor }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) types mkOption;
  cfg = config.services.litellm-batch-fixes;
  name = "litellm-batch-fixes";
  settingsFormat = pkgs.formats.yaml { };
  configFile = settingsFormat.generate "${name}-config.yaml" cfg.settings;
  localUrl = "postgresql://${name}@localhost/${name}?host=/run/postgresql";
  databaseUrl = if cfg.database.createLocally then localUrl else cfg.database.url;
  stateDir = "/var/lib/${name}";
  environment = {
    DATABASE_URL = databaseUrl;
    HOME = stateDir;
    # LiteLLM would rewrite its packaged UI in place; the store is read-only.
    LITELLM_NON_ROOT = "true";
    LITELLM_UI_PATH = "${stateDir}/ui";
  };
  # What every unit of the service shares: who it runs as, what it may touch.
  hardening = {
    User = name;
    Group = name;
    StateDirectory = name;
    StateDirectoryMode = "0700";
    WorkingDirectory = stateDir;
    EnvironmentFile = lib.optional (cfg.environmentFile != null) cfg.environmentFile;
    UMask = "0077";
    ProtectSystem = "strict";
    ProtectHome = true;
    PrivateTmp = true;
    PrivateDevices = true;
    NoNewPrivileges = true;
    CapabilityBoundingSet = "";
    LockPersonality = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    RestrictNamespaces = true;
    ProtectClock = true;
    ProtectHostname = true;
    ProtectKernelLogs = true;
    ProtectKernelModules = true;
    ProtectKernelTunables = true;
    ProtectControlGroups = true;
    ProtectProc = "invisible";
    SystemCallArchitectures = "native";
    RestrictAddressFamilies = [
      "AF_UNIX"
      "AF_INET"
      "AF_INET6"
    ];
  };
in
{
  options.services.litellm-batch-fixes = {
    enable = lib.mkEnableOption "the LiteLLM proxy with the managed files and batches fixes";

    package = mkOption {
      type = types.package;
      default = (packagesFor pkgs.stdenv.hostPlatform.system).proxy;
      defaultText = lib.literalExpression "litellm-batch-fixes.packages.\${system}.proxy";
      description = "The launcher of the patched proxy (the flake's `proxy` package).";
    };

    settings = mkOption {
      inherit (settingsFormat) type;
      default = { };
      example = lib.literalExpression ''
        {
          model_list = [{
            model_name = "azure-batch";
            litellm_params = {
              model = "azure/my-batch-deployment";
              api_base = "os.environ/AZURE_API_BASE";
              api_key = "os.environ/AZURE_API_KEY";
              api_version = "2025-03-01-preview";
            };
            model_info = { id = "azure-batch"; base_model = "azure/gpt-4o-mini"; mode = "batch"; };
          }];
        }
      '';
      description = ''
        LiteLLM's config (litellm-config.yaml) as Nix values. Name secrets as
        `os.environ/VARIABLE` and put them in `environmentFile`: this file is in the store.
      '';
    };

    environmentFile = mkOption {
      type = types.nullOr types.path;
      default = null;
      example = "/run/secrets/litellm-batch-fixes.env";
      description = ''
        `VARIABLE=value` lines for the service: LITELLM_MASTER_KEY, LITELLM_SALT_KEY and the
        providers' keys. Without the two LiteLLM keys, keys are generated once into the state
        directory.
      '';
    };

    host = mkOption {
      type = types.str;
      default = "127.0.0.1";
      description = "Address the proxy listens on.";
    };

    port = mkOption {
      type = types.port;
      default = 4000;
      description = "Port the proxy listens on.";
    };

    batchPollingInterval = mkOption {
      type = types.ints.positive;
      default = 3600;
      description = "Seconds between the runs of LiteLLM's batch cost poller.";
    };

    database = {
      createLocally = mkOption {
        type = types.bool;
        default = true;
        description = ''
          A local PostgreSQL database and role of the service's name, reached over the Unix
          socket with peer authentication (no password).
        '';
      };
      url = mkOption {
        type = types.nullOr types.str;
        default = null;
        example = "postgresql://litellm@db.internal:5432/litellm";
        description = ''
          The database when not created locally. A password belongs in `environmentFile`
          (as DATABASE_URL, which then wins) rather than here, in the store.
        '';
      };
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = cfg.database.createLocally || cfg.database.url != null;
        message = "services.litellm-batch-fixes: set database.url, or database.createLocally";
      }
    ];

    users.users.${name} = {
      isSystemUser = true;
      group = name;
    };
    users.groups.${name} = { };

    services.postgresql = lib.mkIf cfg.database.createLocally {
      enable = true;
      ensureDatabases = [ name ];
      ensureUsers = [
        {
          inherit name;
          ensureDBOwnership = true;
        }
      ];
    };

    # postgresql.target, not postgresql.service: since nixos-25.11 the ensureDatabases and
    # ensureUsers scripts run in postgresql-setup.service, and the target requires both. On
    # postgresql.service alone the first boot's migrate can run before the database and role
    # exist (nixos/modules/services/databases/postgresql.nix; 25.11 release notes). A remote
    # database needs the network up, not only configured: network-online.target.
    systemd.services."${name}-migrate" = {
      description = "LiteLLM's schema for litellm-batch-fixes";
      after = [
        "network.target"
        (if cfg.database.createLocally then "postgresql.target" else "network-online.target")
      ];
      requires = lib.optional cfg.database.createLocally "postgresql.target";
      wants = lib.optional (!cfg.database.createLocally) "network-online.target";
      inherit environment;
      serviceConfig = hardening // {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = "${lib.getExe cfg.package} migrate";
      };
    };

    systemd.services.${name} = {
      description = "LiteLLM proxy with managed files and batches fixed";
      wantedBy = [ "multi-user.target" ];
      after = [
        "network.target"
        "${name}-migrate.service"
      ];
      requires = [ "${name}-migrate.service" ];
      environment = environment // {
        PROXY_BATCH_POLLING_INTERVAL = toString cfg.batchPollingInterval;
      };
      serviceConfig = hardening // {
        ExecStart = lib.concatStringsSep " " [
          (lib.getExe cfg.package)
          "--host ${cfg.host}"
          "--port ${toString cfg.port}"
          "--config ${configFile}"
          "--state-dir ${stateDir}"
        ];
        Restart = "on-failure";
        RestartSec = 5;
      };
    };
  };
}
