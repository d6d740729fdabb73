"""nixosModules.default (services.litellm-batch-fixes), evaluated against the stub.

tests/nix/eval-module.nix hands the module complete option values, as NixOS would, in
four configurations: a local database with settings and an environment file, a remote
database, neither (an assertion), and disabled. What it checks is our module's wiring:
options and defaults, the generated config, the units, their order, hardening, and that
no secret is put in the store. The VM test (checks.nixos-vm) runs it for real, on a forge.
"""

from __future__ import annotations

import pytest

from .conftest import evaluate

NAME = "litellm-batch-fixes"


@pytest.fixture(scope="module")
def module(nix_env) -> dict:
    return evaluate("tests/nix/eval-module.nix", nix_env)


def units(config: dict) -> dict:
    return config["systemd"]["services"]


def test_options_and_their_defaults(module) -> None:
    options = module["options"]
    assert sorted(options) == [
        "batchPollingInterval",
        "database",
        "enable",
        "environmentFile",
        "host",
        "package",
        "port",
        "settings",
    ]
    assert sorted(options["database"]) == ["createLocally", "url"]
    assert (options["enable"]["default"], options["host"]["default"], options["port"]["default"]) == (
        "",
        "127.0.0.1",
        "4000",
    )
    assert options["database"]["createLocally"]["default"] == "1"  # true
    assert options["environmentFile"]["default"] is None
    # the default package is the flake's own patched proxy for the host's system
    assert options["package"]["default"] == module["proxyPackage"]


def test_the_schema_is_applied_by_a_oneshot_before_the_proxy_starts(module) -> None:
    services = units(module["local"])
    migrate, proxy = services[f"{NAME}-migrate"], services[NAME]
    assert migrate["serviceConfig"]["Type"] == "oneshot" and migrate["serviceConfig"]["RemainAfterExit"]
    assert migrate["serviceConfig"]["ExecStart"] == f"{module['proxyPackage']}/bin/{NAME}-proxy migrate"
    # nixos-25.11: ensureDatabases/ensureUsers run in postgresql-setup.service, and only
    # postgresql.target waits for both it and postgresql.service.
    assert "postgresql.target" in migrate["after"] and migrate["requires"] == ["postgresql.target"]
    assert "postgresql.service" not in migrate["after"] + migrate["requires"]
    assert f"{NAME}-migrate.service" in proxy["after"] and proxy["requires"] == [f"{NAME}-migrate.service"]
    assert proxy["wantedBy"] == ["multi-user.target"]


def test_the_proxy_runs_the_generated_config_on_the_local_database(module) -> None:
    proxy = units(module["local"])[NAME]
    assert proxy["serviceConfig"]["ExecStart"].split() == [
        f"{module['proxyPackage']}/bin/{NAME}-proxy",
        "--host",
        "127.0.0.1",
        "--port",
        "4000",
        "--config",
        module["configFile"],
        "--state-dir",
        f"/var/lib/{NAME}",
    ]
    local = f"postgresql://{NAME}@localhost/{NAME}?host=/run/postgresql"  # socket, peer auth
    assert proxy["environment"]["DATABASE_URL"] == local
    assert proxy["environment"]["PROXY_BATCH_POLLING_INTERVAL"] == "3600"
    postgresql = module["local"]["services"]["postgresql"]
    assert (postgresql["enable"], postgresql["ensureDatabases"]) == (True, [NAME])
    assert postgresql["ensureUsers"] == [{"name": NAME, "ensureDBOwnership": True}]


def test_a_remote_database_is_used_as_given_and_no_local_one_is_made(module) -> None:
    proxy = units(module["remote"])[NAME]
    assert proxy["environment"]["DATABASE_URL"] == "postgresql://litellm@db.internal/litellm"
    assert "postgresql" not in module["remote"].get("services", {}) or module["remote"]["services"]["postgresql"] == {}
    migrate = units(module["remote"])[f"{NAME}-migrate"]
    assert migrate["requires"] == [] and not [u for u in migrate["after"] if u.startswith("postgresql")]
    # the database is across the network: migrate waits for it to be up, not only configured
    assert "network-online.target" in migrate["after"] and migrate["wants"] == ["network-online.target"]


def test_no_database_at_all_is_refused_with_a_message(module) -> None:
    [assertion] = module["nowhere"]["assertions"]
    assert assertion["assertion"] is False and "database.url" in assertion["message"]
    assert all(a["assertion"] for a in module["local"]["assertions"] + module["remote"]["assertions"])


def test_secrets_come_from_the_environment_file_only(module) -> None:
    for unit in units(module["local"]).values():
        assert unit["serviceConfig"]["EnvironmentFile"] == ["/run/secrets/litellm-batch-fixes.env"]
        assert not [name for name in unit["environment"] if "KEY" in name or "PASSWORD" in name]


@pytest.mark.parametrize("unit", [NAME, f"{NAME}-migrate"])
def test_units_are_hardened_like_nixpkgs_services(module, unit) -> None:
    config = units(module["local"])[unit]["serviceConfig"]
    assert (config["User"], config["Group"]) == (NAME, NAME)
    assert module["local"]["users"]["users"][NAME]["isSystemUser"] is True
    expected = {
        "ProtectSystem": "strict",
        "ProtectHome": True,
        "PrivateTmp": True,
        "NoNewPrivileges": True,
        "CapabilityBoundingSet": "",
        "StateDirectory": NAME,
        "UMask": "0077",
        "RestrictAddressFamilies": ["AF_UNIX", "AF_INET", "AF_INET6"],
    }
    assert {key: config[key] for key in expected} == expected


def test_disabled_means_nothing(module) -> None:
    assert module["disabled"] == {}
