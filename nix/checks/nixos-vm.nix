# A NixOS VM booting services.litellm-batch-fixes on a local PostgreSQL, the mock server
# as its upstream (started by the launcher: the settings name MOCK_* variables, as
# litellm-config.yaml does), then the seeds' lifecycle with the openai SDK inside the VM
# (tests/nixos/lifecycle.py), a service restart, and the batch read again.
{
  testers,
  module,
  devEnv,
  source,
}:
let
  masterKey = "sk-nixos-vm-test"; # the test's own, in the test VM's store only
  mockModel = name: model: id: {
    model_name = name;
    litellm_params = {
      inherit model;
      api_base = "os.environ/MOCK_OPENAI_API_BASE";
      api_key = "os.environ/MOCK_OPENAI_API_KEY";
    };
    model_info = {
      inherit id;
      mode = "batch";
    };
  };
  python = "${devEnv}/bin/python";
  lifecycle = "LITELLM_MASTER_KEY=${masterKey} ${python} ${source}/tests/nixos/lifecycle.py";
in
testers.runNixOSTest {
  name = "litellm-batch-fixes-nixos";
  nodes.machine =
    { pkgs, ... }:
    {
      imports = [ module ];
      virtualisation.memorySize = 4096;
      environment.systemPackages = [ pkgs.curl ];
      environment.etc."litellm-batch-fixes.env".text = ''
        LITELLM_MASTER_KEY=${masterKey}
        LITELLM_SALT_KEY=salt-nixos-vm-test
      '';
      services.litellm-batch-fixes = {
        enable = true;
        environmentFile = "/etc/litellm-batch-fixes.env";
        settings = {
          model_list = [ (mockModel "gpt-4o-mini" "openai/gpt-4o-mini" "gpt-4o-mini-openai") ];
          general_settings.master_key = "os.environ/LITELLM_MASTER_KEY";
        };
      };
    };
  testScript = ''
    ready = "curl -sf http://127.0.0.1:4000/health/readiness | grep -q '\"db\": *\"connected\"'"
    machine.wait_for_unit("litellm-batch-fixes-migrate.service")
    machine.wait_for_unit("litellm-batch-fixes.service")
    machine.wait_until_succeeds(ready, timeout=300)
    ids = machine.succeed("${lifecycle} create").strip()
    machine.succeed("systemctl restart litellm-batch-fixes.service")
    machine.wait_until_succeeds(ready, timeout=300)
    machine.succeed(f"${lifecycle} check {ids}")
  '';
}
