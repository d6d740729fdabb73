"""Build, run and test a patched LiteLLM proxy whose managed files and batches API works."""
