"""Search's snippets: about thirty words of the original text around the first match, the
matches in [brackets], found in the folded text and mapped back by fold's 1:1 offsets."""

from __future__ import annotations

import functools
import re
import unicodedata

from archive.folding import fold
from archive.search_query import _TOKEN_RE, ParsedQuery, Term, _runs

SNIPPET_WORDS = 30
# Characters folded first for a snippet (`make_snippet`): the whole text only when needed.
HEAD_CHARS = 1500


def _match_spans(tokens: list[str], terms: list[Term]) -> list[tuple[int, int]]:
    """(first, last) token indexes of non-overlapping occurrences of the terms, longest term
    first at each position, so a phrase is bracketed whole rather than word by word."""
    ordered = sorted(terms, key=lambda t: -len(t.tokens))
    spans = []
    i = 0
    while i < len(tokens):
        for t in ordered:
            k = len(t.tokens)
            if i + k > len(tokens) or (k > 1 and tokens[i] != t.tokens[0]):
                continue  # the cheap test first: most tokens start no term
            if all(tokens[i + j] == t.tokens[j] for j in range(1, k - 1)) and (
                tokens[i + k - 1].startswith(t.tokens[-1]) if t.prefix
                else tokens[i + k - 1] == t.tokens[-1]
            ):
                spans.append((i, i + k - 1))
                i += k
                break
        else:
            i += 1
    return spans


def highlight_terms(parsed: ParsedQuery) -> list[Term]:
    """Terms to bracket in snippets: each multi-word run as a phrase, plus every term alone."""
    runs = [
        Term(tokens=tuple(tok for t in run for tok in t.tokens),
             original=tuple(tok for t in run for tok in t.original))
        for run in _runs(parsed)
        if len(run) > 1
    ]
    return [*runs, *parsed.positive_terms]


@functools.lru_cache(maxsize=256)
def _first_match_re(terms: tuple[Term, ...]) -> re.Pattern[str]:
    """One regex for the places in folded text where a term's tokens follow each other as
    `_match_spans` sees them (whole tokens, the last a prefix for `word*`), but for the start
    of the first token, which `_first_match_at` checks: a look-behind in front of every
    alternative would cost Python's regex engine its fast literal scan (20x slower)."""
    alternatives = [
        r"[\W_]+".join(re.escape(tok) for tok in t.tokens) + ("" if t.prefix else r"(?![^\W_])")
        for t in sorted(terms, key=lambda t: -len(t.tokens))
    ]
    return re.compile("|".join(alternatives))


def _first_match(folded: str, terms: list[Term]) -> tuple[int, int] | None:
    """(start, end) of the first match of a term that starts a token; None when none does."""
    pattern, pos = _first_match_re(tuple(terms)), 0
    while (m := pattern.search(folded, pos)) is not None:
        if m.start() == 0 or not _TOKEN_RE.match(folded, m.start() - 1):
            return m.start(), m.end()
        pos = m.start() + 1
    return None


def _first_match_at(folded: str, terms: list[Term]) -> int:
    """Offset of the first token where a term matches; 0 when none does."""
    found = _first_match(folded, terms)
    return 0 if found is None else found[0]


def _window_tokens(folded: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """(start, end) of the whole tokens inside folded[lo:hi]."""
    positions = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(folded, lo, hi)]
    if positions and lo > 0 and positions[0][0] == lo and _TOKEN_RE.match(folded, lo - 1):
        positions.pop(0)  # the tail of a token cut by the window
    if positions and hi < len(folded) and positions[-1][1] == hi and _TOKEN_RE.match(folded, hi):
        positions.pop()
    return positions


def _window_start(folded: str, at: int, lo: int, hi: int, words: int
                  ) -> tuple[list[tuple[int, int]], int | None]:
    """The tokens of folded[lo:hi] and the index among them where the snippet starts: a third
    of `words` before the token at `at`, earlier when the text ends too soon. None when the
    window lacks tokens the whole text would have given (the result is then the same as
    tokenizing all of it)."""
    positions = _window_tokens(folded, lo, hi)
    first = next((k for k, (a, _) in enumerate(positions) if a >= at), len(positions))
    ideal = first - words // 3
    if hi == len(folded):
        ideal = min(ideal, len(positions) - words)
    if lo > 0 and ideal < 0:
        return positions, None
    start = max(0, ideal)
    if hi < len(folded) and start + words > len(positions):
        return positions, None
    return positions, start


def make_snippet(text: str, terms: list[Term], words: int = SNIPPET_WORDS,
                 folded: str | None = None) -> str:
    """About `words` words of the original text around the first match, matches in [brackets].

    Matches are found in fold(text) and mapped back by offset: fold is length-preserving on
    NFC input, so what the reader sees is the original spelling. The index stores no text
    (archive/fts.py), so the text is folded here; `folded` may pass fold(text) when it is at
    hand. Folding is two thirds of a snippet's cost (~75 µs an article), and the first match
    is mostly near the start: the first HEAD_CHARS characters are folded first, the rest only
    when the snippet could depend on it. Only the characters around the first match are split
    into tokens (a few hundred rather than the whole article's thousands).
    """
    text = unicodedata.normalize("NFC", text or "")
    if folded is None or len(folded) != len(text):
        if len(text) > HEAD_CHARS:
            # A prefix of NFC text folds to the prefix of its fold (fold maps each character
            # alone) unless NFC joins characters at the cut: then the length tells.
            head = fold(text[:HEAD_CHARS])
            if len(head) == HEAD_CHARS:
                snippet = _snippet(text, head, terms, words)
                if snippet is not None:
                    return snippet
        folded = fold(text)
    return _snippet(text, folded, terms, words) or ""


def _snippet(text: str, folded: str, terms: list[Term], words: int) -> str | None:
    """`make_snippet` on fold(text) or on a prefix of it (`folded` shorter than `text`); None
    when a prefix is not enough to be sure of the result the whole fold gives."""
    n, known, before = len(text), len(folded), words // 3
    partial = known < n
    at, max_tokens = 0, max((len(t.tokens) for t in terms), default=0)
    if terms:
        found = _first_match(folded, terms)
        if found is None:
            if partial:
                return None
        else:
            # Within a prefix, a match must end before its end (its look-ahead then read a
            # real character).
            if partial and found[1] >= known:
                return None
            at = found[0]
    # Generous bounds (a token averages 4-7 characters), checked below.
    lo, hi = max(0, at - 16 * (before + 1)), min(n, at + 16 * (words + 1))
    if partial and hi >= known:
        return None
    positions, start = _window_start(folded, at, lo, hi, words)
    if start is None:  # a window too short for the snippet (long tokens or none): all of it
        if partial:
            return None
        positions, start = _window_start(folded, at, 0, n, words)
    if partial and sum(a >= at for a, _ in positions) < max_tokens:
        # An earlier match running on past the prefix would hold the token at `at` and the
        # ones after it up to the prefix's end: fewer tokens than its term has. Enough
        # tokens there rule it out.
        return None
    if not positions or start is None:
        return ""
    end = min(len(positions), start + words)
    tokens = [folded[a:b] for a, b in positions[start:end]]
    spans = [(a + start, b + start) for a, b in _match_spans(tokens, terms)]
    out: list[str] = []
    cursor = positions[start][0]
    for a, b in spans:
        out.append(text[cursor : positions[a][0]])
        out.append("[" + text[positions[a][0] : positions[b][1]] + "]")
        cursor = positions[b][1]
    out.append(text[cursor : positions[end - 1][1]])
    snippet = " ".join("".join(out).split())
    if start > 0 or _TOKEN_RE.search(folded, 0, positions[start][0]):
        snippet = "… " + snippet
    if end < len(positions) or _TOKEN_RE.search(folded, positions[end - 1][1]):
        snippet += " …"
    elif partial:
        return None  # whether the text goes on after the snippet lies past the prefix
    return snippet
