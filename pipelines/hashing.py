"""Content hashes that identify an article's text whatever page chrome or spelling it came in."""

from __future__ import annotations

import hashlib

from pipelines.text import clean_line, clean_text


def content_hash(title: str, text: str) -> str:
    """sha256 of the cleaned title and body, so the same article under two URLs hashes equal."""
    payload = clean_line(title) + "\n" + clean_text(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
