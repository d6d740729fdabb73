# `nix run .#proxy` (also the default), `.#proxy-unpatched`, `.#mock-server` and a proxy
# per other release line (`.#proxy-1_108_7`).
{
  lib,
  writeShellApplication,
  proxy,
  otherProxies,
  mockServer,
}:
let
  app = program: description: {
    type = "app";
    inherit program;
    meta.description = description;
  };
  proxyUnpatched = writeShellApplication {
    name = "litellm-batch-fixes-proxy-unpatched";
    text = ''exec ${proxy}/bin/litellm-batch-fixes-proxy --unpatched "$@"'';
  };
  apps = {
    proxy = app (lib.getExe proxy) "the patched LiteLLM proxy, like ./dev proxy";
    proxy-unpatched = app (lib.getExe proxyUnpatched) "LiteLLM as released, no patches";
    mock-server = app (lib.getExe mockServer) "the mock Azure OpenAI / OpenAI server";
  };
  lineApps = lib.mapAttrs (_: line: app (lib.getExe line) line.meta.description) otherProxies;
in
apps // lineApps // { default = apps.proxy; }
