"""A batch through the proxy with the official openai SDK, from upload to clean-up.

    OPENAI_API_KEY=$(cat .state/master-key) ./dev python examples/batch_roundtrip.py

Uploads two requests (one the model refuses), creates a batch, polls it until it ends,
prints its output and error files, then deletes the files. The key is any key of the proxy
(the master key above, or a virtual key from /key/generate); OPENAI_BASE_URL or --base-url
name the proxy (default http://127.0.0.1:4000, where `./dev proxy` listens).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

import openai


def request(custom_id: str, model: str, text: str, max_tokens: int) -> dict:
    """One line of a batch input file: a chat completion request."""
    body = {"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": max_tokens}
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:4000"))
    parser.add_argument("--model", default="azure-gpt-4o-mini-batch", help="a model of the proxy's config")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the batch to end")
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url)  # the key: OPENAI_API_KEY

    # The second request asks for more tokens than the model allows: it ends in the error file.
    lines = [request("good", args.model, "Say hello.", 50), request("refused", args.model, "Say hello.", 10**6)]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    # target_model_names: which of the proxy's models the file (and its batch) goes to.
    uploaded = client.files.create(
        file=("requests.jsonl", io.BytesIO(data)),
        purpose="batch",
        extra_body={"target_model_names": args.model},
    )
    print(f"uploaded {uploaded.id} ({uploaded.bytes} bytes)")

    batch = client.batches.create(
        input_file_id=uploaded.id, endpoint="/v1/chat/completions", completion_window="24h"
    )
    print(f"created {batch.id}: {batch.status}")
    deadline = time.monotonic() + args.timeout
    while batch.status not in ("completed", "failed", "expired", "cancelled"):
        if time.monotonic() > deadline:
            print(f"batch {batch.id} still {batch.status} after {args.timeout:.0f} s", file=sys.stderr)
            return 1
        time.sleep(2)
        batch = client.batches.retrieve(batch.id)
        print(f"  {batch.status} ({batch.request_counts.completed} done, {batch.request_counts.failed} failed)")

    files = [uploaded.id]
    for kind, file_id in (("output", batch.output_file_id), ("error", batch.error_file_id)):
        if file_id is None:
            continue
        files.append(file_id)
        for line in client.files.content(file_id).text.splitlines():
            response = json.loads(line)["response"]
            body = response["body"]
            said = body["choices"][0]["message"]["content"] if "choices" in body else body["error"]["message"]
            print(f"{kind} {json.loads(line)['custom_id']}: {response['status_code']} {said}")

    for file_id in files:
        print(f"deleted {file_id}: {client.files.delete(file_id).deleted}")
    return 0 if batch.status == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
