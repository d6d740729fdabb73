"""The seeds' lifecycle inside the NixOS VM test (checks.nixos-vm), with the openai SDK.

python lifecycle.py create   upload, batch, wait, read the output; print the ids
python lifecycle.py check BATCH_ID INPUT_ID
                             after a restart: the batch and its output again, then
                             delete input and output (deleted: true, then 404)
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from collections.abc import Callable

import openai

MODEL = "gpt-4o-mini"
client = openai.OpenAI(
    base_url=os.environ.get("PROXY_URL", "http://127.0.0.1:4000"),
    api_key=os.environ["LITELLM_MASTER_KEY"],
    max_retries=0,
    timeout=60,
)


def finished(batch_id: str) -> openai.types.Batch:
    deadline = time.monotonic() + 120
    while (batch := client.batches.retrieve(batch_id)).status not in ("completed", "failed", "cancelled"):
        if time.monotonic() > deadline:
            sys.exit(f"batch {batch_id} still {batch.status} after 120 s")
        time.sleep(1)
    return batch


def output_lines(batch) -> int:
    return len(client.files.content(batch.output_file_id).text.splitlines())


def create() -> None:
    lines = [
        {
            "custom_id": f"r{i}",
            "method": "POST",
            "url": "/v1/chat/completions",
            "body": {"model": MODEL, "messages": [{"role": "user", "content": f"hello {i}"}]},
        }
        for i in range(2)
    ]
    uploaded = client.files.create(
        file=("in.jsonl", io.BytesIO("\n".join(map(json.dumps, lines)).encode())),
        purpose="batch",
        extra_body={"target_model_names": MODEL},
    )
    batch = finished(
        client.batches.create(input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h").id
    )
    assert batch.status == "completed" and output_lines(batch) == 2, batch
    print(batch.id, uploaded.id)


def check(batch_id: str, input_id: str) -> None:
    batch = finished(batch_id)
    assert output_lines(batch) == 2
    for file_id in (input_id, batch.output_file_id):
        assert client.files.delete(file_id).deleted is True
        try:
            client.files.retrieve(file_id)
            sys.exit(f"{file_id} still retrievable after its delete")
        except openai.NotFoundError:
            pass


if __name__ == "__main__":
    commands: dict[str, Callable[..., None]] = {"create": create, "check": check}
    commands[sys.argv[1]](*sys.argv[2:])
