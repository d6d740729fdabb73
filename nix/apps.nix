# `nix run .#proxy` (also the default), `.#proxy-unpatched` and `.#mock-server`.
{
  writeShellApplication,
  proxy,
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
    proxy = app "${proxy}/bin/litellm-batch-fixes-proxy" "the patched LiteLLM proxy, like ./dev proxy";
    proxy-unpatched =
      app "${proxyUnpatched}/bin/litellm-batch-fixes-proxy-unpatched"
        "LiteLLM 1.80.10 as released, like ./dev proxy --unpatched";
    mock-server = app "${mockServer}/bin/mock-openai-server" "the mock Azure OpenAI / OpenAI server";
  };
in
apps // { default = apps.proxy; }
