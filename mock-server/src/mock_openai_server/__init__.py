"""In-memory mock of the OpenAI / Azure OpenAI files, batches and chat completions APIs."""

__version__ = "0.1.0"
