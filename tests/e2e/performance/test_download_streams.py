"""0069: a managed file's content is passed on as the provider sends it, not held whole in
the proxy first (a 100 MB output file grew 1.80.10's RSS by ~92 MiB, and 1.108.7 held it
whole as well; `./dev bench` reports the growth). Judged by order, not by a clock or by
memory: the mock sends the first bytes of the file and holds the rest until the test
releases it. Streamed, the client has its first bytes before the release (under load,
maybe before the mock even reached the hold: the release's answer says "released" either
way, since the mock had not sent its last byte); held whole, it gets nothing until the
mock's hold lapses by itself, which the release's answer then tells."""

from __future__ import annotations

import pytest

from ..flows import MODELS, batch_lines, inject_fault, new_user, release_fault, upload_batch_input

# bytes the mock sends before it holds the rest: more than a chunk the proxy may gather
# before passing it on (1.108.7 reads the provider's answer 1 MiB at a time)
HOLD_AFTER = 3 << 20
HOLD_SECONDS = 20  # the hold's own end, when no release comes

models = pytest.mark.parametrize("model", MODELS.values(), ids=MODELS.keys())


@pytest.mark.patch("0069-file-content-streams.patch")
@models
def test_a_download_reaches_the_client_as_the_provider_sends_it(proxy, model) -> None:
    _, client = new_user(proxy, "downloader")
    content = batch_lines(model, [f"Say hello {i} " + "." * 1_000 for i in range(5_000)])  # ~5.6 MB
    uploaded = upload_batch_input(client, model, content)
    whole = client.files.content(uploaded.id).content  # as the provider keeps it (model names rewritten)
    fault = inject_fault(proxy.mock_url, "files.content", hold_after_bytes=HOLD_AFTER, hold_seconds=HOLD_SECONDS)
    with client.files.with_streaming_response.content(uploaded.id) as download:
        chunks = download.iter_bytes()
        first = next(chunks)
        held = release_fault(proxy.mock_url, fault["id"])
        rest = b"".join(chunks)
    assert held == "released", f"the proxy sent nothing until the provider had sent the whole file (the hold: {held})"
    assert 0 < len(first) <= HOLD_AFTER
    assert first + rest == whole
