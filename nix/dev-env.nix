# The Python that runs the project itself, as ./dev's .venv/dev does: the pinned
# requirements/dev.txt (pytest, testcontainers, openai, psycopg, the mock's FastAPI...).
# The project's code comes from PYTHONPATH: the store copy (launcher, checks) or the work
# tree (dev shell).
{ pythonEnv }:
pythonEnv {
  name = "litellm-batch-fixes-dev-python";
  lock = "dev";
  meta.description = "Python 3.11 with requirements/dev.txt";
}
