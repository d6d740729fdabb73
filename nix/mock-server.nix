# The mock Azure OpenAI / OpenAI server (mock-server/): its pinned dependencies
# (requirements/mock-server.txt), its source on the path, and a `mock-openai-server` command.
{
  pythonEnv,
  runtimeShell,
  source,
}:
pythonEnv {
  name = "mock-openai-server";
  lock = "mock-server";
  postInstall = ''
    echo ${source}/mock-server/src > "$site/mock_openai_server.pth"
    printf '#!%s\nexec %s -m mock_openai_server "$@"\n' ${runtimeShell} $out/bin/python > $out/bin/mock-openai-server
    chmod +x $out/bin/mock-openai-server
  '';
  meta = {
    description = "Mock Azure OpenAI / OpenAI server for the proxy's end-to-end tests";
    mainProgram = "mock-openai-server";
  };
}
