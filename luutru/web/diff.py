"""Word-level differences between two versions of an article's text, for people to read.

Words are compared whole (a changed syllable marks its word, not a few letters inside it) and
whitespace is carried with the word before it, so paragraph breaks survive in the output.
Long unchanged stretches can be folded away by the page (`Chunk.long`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

# A word and the whitespace after it; leading whitespace is its own piece.
_PIECE_RE = re.compile(r"\s+|\S+\s*")
# Unchanged runs longer than this many words are shown folded between their edges.
FOLD_WORDS = 60
EDGE_WORDS = 12


@dataclass(frozen=True)
class Chunk:
    """One stretch of the new text: `op` is "same", "insert" or "delete"."""

    op: str
    text: str
    words: int

    @property
    def long(self) -> bool:
        return self.op == "same" and self.words > FOLD_WORDS


@dataclass(frozen=True)
class DiffSummary:
    inserted: int
    deleted: int
    same: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


def _pieces(text: str) -> list[str]:
    return _PIECE_RE.findall(text or "")


def word_diff(old: str, new: str) -> list[Chunk]:
    """The chunks that turn `old` into `new`, in reading order (a deletion before the insertion
    that replaces it)."""
    a, b = _pieces(old), _pieces(new)
    matcher = SequenceMatcher(None, [p.strip() for p in a], [p.strip() for p in b],
                              autojunk=False)
    chunks: list[Chunk] = []

    def add(op: str, pieces: list[str]) -> None:
        text = "".join(pieces)
        words = sum(1 for p in pieces if p.strip())
        if text:
            chunks.append(Chunk(op, text, words))

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", b[j1:j2])
            continue
        if tag in ("delete", "replace"):
            add("delete", a[i1:i2])
        if tag in ("insert", "replace"):
            add("insert", b[j1:j2])
    return chunks


def summarize(chunks: list[Chunk]) -> DiffSummary:
    """Words inserted, deleted and kept."""
    count = {"same": 0, "insert": 0, "delete": 0}
    for c in chunks:
        count[c.op] += c.words
    return DiffSummary(inserted=count["insert"], deleted=count["delete"], same=count["same"])


def fold_edges(text: str) -> tuple[str, str, str]:
    """(head, middle, tail) of a long unchanged chunk: EDGE_WORDS words kept visible on each
    side of the folded middle."""
    pieces = _pieces(text)
    words = [i for i, p in enumerate(pieces) if p.strip()]
    if len(words) <= 2 * EDGE_WORDS:
        return text, "", ""
    head_end = words[EDGE_WORDS - 1] + 1
    tail_start = words[-EDGE_WORDS]
    return ("".join(pieces[:head_end]), "".join(pieces[head_end:tail_start]),
            "".join(pieces[tail_start:]))
