"""Tests of the mock OpenAI / Azure OpenAI server (mock-server/), driven over HTTP."""
