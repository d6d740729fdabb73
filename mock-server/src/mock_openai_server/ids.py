"""Identifiers shaped like the real services' ones."""

from __future__ import annotations

import secrets


def file_id() -> str:
    return "file-" + secrets.token_hex(12)


def batch_id() -> str:
    return "batch_" + secrets.token_hex(16)


def batch_request_id() -> str:
    return "batch_req_" + secrets.token_hex(16)


def chat_completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(14)


def request_id() -> str:
    return "req_" + secrets.token_hex(16)
