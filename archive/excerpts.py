"""The sentence of a body around a date it mentions: what researchers read beside the date.

The article pipeline keeps it for every new article (pipelines/mentions.py); the archive's own
migration needs it too, when an archive from before `date_mentioned` moves the body mentions it
stored as publication dates into their columns (archive/schema.py), so it lives here.
"""

from __future__ import annotations

import re
import unicodedata

# How long the sentence kept beside a mentioned date may be.
MENTION_TEXT_MAX = 200
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?…])\s+(?=\S)")
_SPACE_RE = re.compile(r"\s+")


def sentence_around(para: str, start: int, end: int) -> str:
    """The sentence of para holding [start, end), trimmed around the date to the maximum."""
    s_start, s_end = 0, len(para)
    for m in _SENTENCE_BREAK_RE.finditer(para):
        if m.end() <= start:
            s_start = m.end()
        elif m.start() >= end:
            s_end = m.start()
            break
    sentence = para[s_start:s_end].strip()
    if len(sentence) <= MENTION_TEXT_MAX:
        return sentence
    start, end = start - s_start, end - s_start
    room = max(0, MENTION_TEXT_MAX - (end - start)) // 2
    lo = max(0, min(start - room, len(sentence) - MENTION_TEXT_MAX))
    hi = min(len(sentence), lo + MENTION_TEXT_MAX)
    return ("…" if lo else "") + sentence[lo:hi].strip() + ("…" if hi < len(sentence) else "")


def mention_sentence(text: str, raw: str) -> str:
    """The sentence of a clean body holding the date string raw, trimmed; '' when absent.

    Paragraphs are read as the date rules read them (NFC, Ð -> Đ, one space)."""
    for para in text.split("\n\n"):
        para = _SPACE_RE.sub(" ", unicodedata.normalize("NFC", para).replace("\u00d0", "Đ")).strip()
        start = para.find(raw) if raw else -1
        if start >= 0:
            return sentence_around(para, start, start + len(raw))
    return ""
