"""Search's query language: user text to terms (`parse_query`), terms to FTS5 MATCH strings.

The parser never raises anything but QueryError, and every MATCH string it builds quotes
tokens that hold only letters and digits, so no user text can reach FTS5's own syntax.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from archive.db import ArchiveError
from archive.folding import fold, normalize_tone_marks

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
FOLDED_COLUMNS = "{title_fold text_fold}"
ORIGINAL_COLUMNS = "{title text}"
# No column filter: the same rows as FOLDED_COLUMNS for a folded phrase, found faster. Every
# token of the original columns, folded, is the folded columns' token at the same position
# (tests/test_search_index.py checks it for every character fold knows), and a query token is
# folded, so it is in an original column only where it is in the folded one too. A column
# filter makes FTS5 read each row's positions: bm25 counting a word's articles costs 2-3 x
# more with it (6.4 against 2.6 ms for `dang`, in 85,000 of 100,000 articles).
ANY_COLUMN = ""

# A token as FTS5's unicode61 tokenizer sees it: letters and digits; everything else separates.
_TOKEN_RE = re.compile(r"[^\W_]+")
# New-style tone placement (hòa, thủy) at a syllable's end, to derive the old style (hoà, thuỷ).
_NEW_TONE_RE = re.compile(r"([òóỏõọ])([ae])(?![^\W\d_])|(?<!q)([ùúủũụ])(y)(?![^\W\d_])")
# Eth look-alikes typed for Đ/đ: a search query is Vietnamese, so they are always Đ/đ.
_ETH = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})


class QueryError(ArchiveError, ValueError):
    """A search request that cannot be run; the message is one line, fit for the user."""


@dataclass(frozen=True)
class Term:
    """One query term: a word or phrase as typed (NFC, lower-case) and its folded tokens."""

    tokens: tuple[str, ...]  # folded
    original: tuple[str, ...]  # NFC lower-case, diacritics kept
    prefix: bool = False
    quoted: bool = False

    @property
    def has_diacritics(self) -> bool:
        """True when the term was typed with any diacritic (or đ)."""
        return self.original != self.tokens

    def spellings(self) -> list[tuple[str, ...]]:
        """The exact spellings to look for: the term with its tones placed new-style (hòa)
        and old-style (hoà), since the archive keeps each site's own spelling."""
        new = tuple(normalize_tone_marks(t) for t in self.original)
        old = tuple(_old_style(t) for t in new)
        return [new] if old == new else [new, old]


@dataclass
class ParsedQuery:
    """A query reduced to AND-ed groups of OR-ed terms, minus excluded terms."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[Term]:
        """Every term a document may match, for snippets and highlighting."""
        return [t for g in self.groups for t in g]



# -- parsing ------------------------------------------------------------------------------


def _tokens(s: str) -> tuple[str, ...]:
    return tuple(_TOKEN_RE.findall(s))


def _old_style(token: str) -> str:
    """hòa -> hoà, thủy -> thuỷ: the inverse of `normalize_tone_marks` on one lower-case word."""

    def move(m: re.Match[str]) -> str:
        first, second = (m[1], m[2]) if m[1] else (m[3], m[4])
        base, mark = unicodedata.normalize("NFD", first)[0], unicodedata.normalize("NFD", first)[1:]
        return base + unicodedata.normalize("NFC", second + mark)

    return _NEW_TONE_RE.sub(move, token)


def normalize_query(query: str) -> str:
    """NFC, with U+00D0/U+00F0 read as Đ/đ: how every query is seen before parsing."""
    return unicodedata.normalize("NFC", query).translate(_ETH)


def _make_term(raw: str, *, prefix: bool, quoted: bool) -> Term | None:
    original = normalize_query(raw).lower()
    folded = _tokens(fold(original))
    if not folded:
        return None
    return Term(tokens=folded, original=_tokens(original), prefix=prefix, quoted=quoted)


def _lex(query: str) -> list[tuple[str, Term | None, bool]]:
    """Split the query into ("term", Term, negated) and ("or", None, False) items; quotes group
    phrases, an unclosed quote runs to the end of the input."""
    items: list[tuple[str, Term | None, bool]] = []
    i, n = 0, len(query)
    negate_next = False
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        negated = negate_next
        if ch == '"' or (ch == "-" and i + 1 < n and query[i + 1] == '"'):
            if ch == "-":
                negated, i = True, i + 1
            end = query.find('"', i + 1)
            end = n if end == -1 else end
            body = query[i + 1 : end]
            i = end + 1
            prefix = i < n and query[i] == "*"
            if prefix:
                i += 1
            term = _make_term(body, prefix=prefix, quoted=True)
            if term is not None:
                items.append(("term", term, negated))
                negate_next = False
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] != '"':
            j += 1
        chunk = query[i:j]
        i = j
        if chunk == "OR":
            items.append(("or", None, False))
            continue
        if chunk == "AND":
            continue
        if chunk == "NOT":
            negate_next = True
            continue
        if chunk.startswith("-"):
            negated = True
            chunk = chunk.lstrip("-")
        prefix = chunk.endswith("*")
        term = _make_term(chunk.rstrip("*"), prefix=prefix, quoted=False)
        if term is not None:
            items.append(("term", term, negated))
            negate_next = False
    return items


def parse_query(query: str) -> ParsedQuery:
    """Turn user text into terms; never raises anything but QueryError.

    Implicit AND; `OR` joins the terms on either side (`a b OR c` = a AND (b OR c));
    `-word`, `-"phrase"` and `NOT word` exclude; `word*` matches a prefix; "..." is a phrase.
    A word with inner punctuation (`C-300`, `a'b`) is the phrase of its parts, as FTS5 would
    tokenize it. Stray operators and punctuation are ignored.
    """
    if not isinstance(query, str):
        raise QueryError("query must be text")
    if "\x00" in query:
        raise QueryError("query contains a NUL character")
    if not query.strip():
        raise QueryError("empty query: type one or more words to search for")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(query)} characters, at most {MAX_QUERY_CHARS})")
    parsed = ParsedQuery()
    pending_or = False
    for kind, term, negated in _lex(normalize_query(query)):
        if kind == "or" or term is None:
            pending_or = bool(parsed.groups)
            continue
        if negated:
            parsed.excluded.append(term)
        elif pending_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False
    if len(parsed.positive_terms) + len(parsed.excluded) > MAX_TERMS:
        raise QueryError(f"too many search terms (at most {MAX_TERMS})")
    if not parsed.groups:
        if parsed.excluded:
            raise QueryError("nothing left to search for: a query needs at least one "
                             "word that is not excluded")
        raise QueryError("nothing to search for: the query has no letters or digits")
    return parsed


# -- FTS5 expression building -------------------------------------------------------------


def _phrase(tokens: tuple[str, ...], prefix: bool, columns: str) -> str:
    # Tokens hold letters and digits only, so the quoting below can never be broken out of.
    scope = f"{columns} : " if columns else ""
    return f'{scope}"{" ".join(tokens)}"' + (" *" if prefix else "")


def _runs(parsed: ParsedQuery) -> list[list[Term]]:
    """Consecutive single-term groups of plain words: `sinh hoat chi bo` is one run."""
    runs: list[list[Term]] = []
    current: list[Term] = []
    for group in parsed.groups:
        if len(group) == 1 and not group[0].quoted and not group[0].prefix:
            current.append(group[0])
            continue
        if current:
            runs.append(current)
        current = []
    if current:
        runs.append(current)
    return runs


def match_expression(parsed: ParsedQuery, columns: str = FOLDED_COLUMNS) -> str:
    """The FTS5 MATCH string over the folded columns (what decides which rows are hits);
    `columns` names them for another table (attachments_fts: `{text_fold}`), or is
    ANY_COLUMN: the same rows of articles_fts, cheaper to count (search ranks with it)."""

    def term(t: Term) -> str:
        return _phrase(t.tokens, t.prefix, columns)

    ands = []
    for group in parsed.groups:
        ands.append(term(group[0]) if len(group) == 1 else
                    "(" + " OR ".join(term(t) for t in group) + ")")
    expr = " AND ".join(ands)
    if parsed.excluded:
        expr = f"({expr}) NOT (" + " OR ".join(term(t) for t in parsed.excluded) + ")"
    return expr


def window_expression(parsed: ParsedQuery) -> str:
    """`match_expression` with phrases loosened to their words: the same rows or more, found
    from the words' doclists alone (no positions read), so it is cheap to walk."""

    def term(t: Term) -> str:
        words = [
            _phrase((tok,), t.prefix and i == len(t.tokens) - 1, ANY_COLUMN)
            for i, tok in enumerate(t.tokens)
        ]
        return words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"

    ands = [term(g[0]) if len(g) == 1 else "(" + " OR ".join(term(t) for t in g) + ")"
            for g in parsed.groups]
    return " AND ".join(ands)


def phrase_expression(parsed: ParsedQuery) -> str | None:
    """Rows where each run of plain words occurs as a phrase rank first; None if no run has
    two or more words."""
    phrases = [r for r in _runs(parsed) if len(r) > 1]
    if not phrases:
        return None
    return " AND ".join(
        _phrase(tuple(tok for t in run for tok in t.tokens), False, ANY_COLUMN)
        for run in phrases
    )


def _exact_term(t: Term) -> str:
    alts = [_phrase(sp, t.prefix, ORIGINAL_COLUMNS) for sp in t.spellings()]
    return alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")"


def exact_expression(parsed: ParsedQuery, *, force: bool = False) -> str | None:
    """The MATCH string over the original columns: every term with the diacritics as typed
    (either tone placement). None when nothing was typed with diacritics, unless `force`
    (`--exact`), since a diacritic-free query then has nothing to prefer."""
    if not force and not any(t.has_diacritics for t in parsed.positive_terms):
        return None
    ands = []
    for group in parsed.groups:
        ands.append(_exact_term(group[0]) if len(group) == 1 else
                    "(" + " OR ".join(_exact_term(t) for t in group) + ")")
    expr = " AND ".join(ands)
    if force and parsed.excluded:
        expr = f"({expr}) NOT (" + " OR ".join(_exact_term(t) for t in parsed.excluded) + ")"
    return expr

