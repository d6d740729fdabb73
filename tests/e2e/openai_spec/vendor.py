"""Write files-and-batches.json: the files and batches operations of OpenAI's published
OpenAPI description (https://github.com/openai/openai-openapi, MIT licence, see LICENSE)
and every component they reference, unchanged.

    python tests/e2e/openai_spec/vendor.py OPENAPI_JSON COMMIT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PATHS = ("/files", "/files/{file_id}", "/files/{file_id}/content", "/batches", "/batches/{batch_id}",
         "/batches/{batch_id}/cancel")  # fmt: skip
SOURCE = "https://github.com/openai/openai-openapi"


def references(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(references(value) for value in node))
    return set()


def subset(spec: dict, commit: str) -> dict:
    paths = {path: spec["paths"][path] for path in PATHS}
    components: dict[str, dict] = {}
    pending = references(paths)
    while pending:
        ref = pending.pop()
        _, _, kind, name = ref.split("/")  # "#/components/schemas/Batch"
        if name in components.get(kind, {}):
            continue
        node = spec["components"][kind][name]
        components.setdefault(kind, {})[name] = node
        pending |= references(node)
    components["securitySchemes"] = {"ApiKeyAuth": spec["components"]["securitySchemes"]["ApiKeyAuth"]}
    info = dict(spec["info"])
    info["x-source"] = {"repository": SOURCE, "commit": commit, "file": "openapi.json", "paths": list(PATHS)}
    return {
        "openapi": spec["openapi"],
        "info": info,
        "servers": spec["servers"],
        "security": [{"ApiKeyAuth": []}],
        "paths": paths,
        "components": {kind: dict(sorted(nodes.items())) for kind, nodes in sorted(components.items())},
    }


def main() -> None:
    source, commit = sys.argv[1:3]
    out = Path(__file__).with_name("files-and-batches.json")
    out.write_text(json.dumps(subset(json.loads(Path(source).read_text()), commit), indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
