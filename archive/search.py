"""Accent-insensitive full-text search over the archive, with a small safe query language."""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from archive.db import ArchiveError, shared_deadline
from pipelines.text import fold, normalize_tone_marks

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
MAX_LIMIT = 1000
# Relevance ranks within the most recently archived articles holding every word of the query:
# RANK_WINDOW of them for a one-word query, fewer for longer ones (see `rank_window`).
RANK_WINDOW = 10_000
SNIPPET_WORDS = 30
# How many of the newest articles tell whether a word is in most of them (`ranking_expression`).
SAMPLE_ARTICLES = 1000
# bm25 weights for (title, text, title_fold, text_fold): matches are only ever sought in the
# folded columns, the title counting five times a body match.
BM25_WEIGHTS = (0.0, 0.0, 5.0, 1.0)
FOLDED_COLUMNS = "{title_fold text_fold}"
ORIGINAL_COLUMNS = "{title text}"

# A token as FTS5's unicode61 tokenizer sees it: letters and digits; everything else separates.
_TOKEN_RE = re.compile(r"[^\W_]+")
_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
# New-style tone placement (hòa, thủy) at a syllable's end, to derive the old style (hoà, thuỷ).
_NEW_TONE_RE = re.compile(r"([òóỏõọ])([ae])(?![^\W\d_])|(?<!q)([ùúủũụ])(y)(?![^\W\d_])")
# Eth look-alikes typed for Đ/đ: a search query is Vietnamese, so they are always Đ/đ.
_ETH = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ"})
SORTS = ("relevance", "date")


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


@dataclass
class Hit:
    """One search result."""

    id: int
    url: str
    title: str
    published_at: str | None
    site: str
    author: str | None
    snippet: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return asdict(self)


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
    return f'{columns} : "{" ".join(tokens)}"' + (" *" if prefix else "")


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
    `columns` names them for another table (attachments_fts: `{text_fold}`)."""

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
            _phrase((tok,), t.prefix and i == len(t.tokens) - 1, FOLDED_COLUMNS)
            for i, tok in enumerate(t.tokens)
        ]
        return words[0] if len(words) == 1 else "(" + " AND ".join(words) + ")"

    ands = [term(g[0]) if len(g) == 1 else "(" + " OR ".join(term(t) for t in g) + ")"
            for g in parsed.groups]
    return " AND ".join(ands)


def rank_window(parsed: ParsedQuery) -> int:
    """How many of the most recently archived articles holding every word relevance ranks
    within: RANK_WINDOW divided by the query's word count, because bm25 and the phrase check
    read every word's positions in every article of the window, and a phrase's article count
    over the whole index comes on top (26 ms for five common words on 100,000 articles).
    That keeps a five-word phrase near the cost of a one-word query."""
    words = sum(len(t.tokens) for t in parsed.positive_terms)
    return max(1, RANK_WINDOW // max(1, words))


def ranking_expression(conn: sqlite3.Connection, parsed: ParsedQuery) -> str | None:
    """A cheaper MATCH string for bm25 to score with, or None when it would be
    `match_expression` itself.

    bm25 weighs a term by log((N - n + 0.5) / (n + 0.5)), floored at 1e-6: a term in half the
    articles or more weighs nothing, yet counting its n reads its whole doclist (11 ms for
    `va`, which is in every article). Such terms, judged from the newest SAMPLE_ARTICLES
    (0.1 ms a term), are left out of the scoring; so are excluded terms, which bm25 would
    count too. Rows must still match the whole query: the caller filters on it.
    """
    if len(parsed.groups) < 2 and not parsed.excluded:
        return None
    # The index's own table of row sizes has one small row per article: walking its newest
    # 1,000 ids reads a few pages, where the articles table reads one page per article.
    row = conn.execute("SELECT id FROM articles_fts_docsize ORDER BY id DESC LIMIT 1 OFFSET ?",
                       (SAMPLE_ARTICLES - 1,)).fetchone()
    lower = row[0] - 1 if row else 0
    sample = conn.execute("SELECT count(*) FROM articles_fts_docsize WHERE id > ?",
                          (lower,)).fetchone()[0]

    def common(t: Term) -> bool:
        (n,) = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid > ?",
            (_phrase(t.tokens, t.prefix, FOLDED_COLUMNS), lower),
        ).fetchone()
        return 2 * n >= sample

    kept = [g for g in parsed.groups if len(g) > 1 or not common(g[0])] or parsed.groups
    if len(kept) == len(parsed.groups) and not parsed.excluded:
        return None
    return match_expression(ParsedQuery(groups=kept))


def phrase_expression(parsed: ParsedQuery) -> str | None:
    """Rows where each run of plain words occurs as a phrase rank first; None if no run has
    two or more words."""
    phrases = [r for r in _runs(parsed) if len(r) > 1]
    if not phrases:
        return None
    return " AND ".join(
        _phrase(tuple(tok for t in run for tok in t.tokens), False, FOLDED_COLUMNS)
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


# -- filters ------------------------------------------------------------------------------


def _period(value: str | int, name: str) -> tuple[str, str]:
    """(first day, first day after) of a YYYY / YYYY-MM / YYYY-MM-DD period, as ISO strings."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    m = _DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise QueryError(f"--{name} must look like YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day is not None:
            start = date(year, int(month), int(day))
            end = start + timedelta(days=1)
        elif month is not None:
            start = date(year, int(month), 1)
            end = date(year + (start.month == 12), start.month % 12 + 1, 1)
        else:
            start = date(year, 1, 1)
            end = date(year + 1, 1, 1)
    except (ValueError, OverflowError):
        raise QueryError(f"--{name}: {value!r} is not a valid date") from None
    return start.isoformat(), end.isoformat()


@functools.lru_cache(maxsize=4096)
def _fold_value(value: object) -> str | None:
    # Filters fold the same few hundred bylines and categories once per matching row:
    # remembering them cuts a third off an author- or category-filtered search.
    return None if value is None else fold(str(value))


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the filters need: `luutru_fold(text)` is `pipelines.text.fold`."""
    conn.create_function("luutru_fold", 1, _fold_value, deterministic=True)


AUTHOR_CLAUSE = "instr(luutru_fold({alias}.author), :author) > 0"


def filter_clauses(
    *,
    site: str | None = None,
    since: str | int | None = None,
    until: str | int | None = None,
    author: str | None = None,
    category: str | None = None,
    has_attachment: bool = False,
    alias: str = "a",
) -> tuple[list[str], dict[str, Any]]:
    """WHERE clauses (on `articles AS alias`) and parameters shared by search and export.

    `author` matches a folded substring of the byline (`nguyen van` finds `ThS. Nguyễn Văn
    A`); `category` a whole category, folded (`tin tuc` finds `Tin tức`); `has_attachment`
    keeps articles with at least one row in `article_attachments`. Uses `luutru_fold`: call
    `register_functions(conn)` first.
    """
    where: list[str] = []
    params: dict[str, Any] = {}
    if site is not None:
        where.append(f"{alias}.site = :site")
        params["site"] = site
    if since is not None:
        params["since"] = _period(since, "since")[0]
        where.append(f"{alias}.published_at >= :since")
    if until is not None:
        params["until"] = _period(until, "until")[1]
        where.append(f"{alias}.published_at < :until")
    if since is not None and until is not None and params["since"] >= params["until"]:
        raise QueryError(f"--since {since} is after --until {until}")
    for name, value in (("author", author), ("category", category)):
        if value is None:
            continue
        if "\x00" in value or not value.strip():
            raise QueryError(f"--{name} needs some text")
        params[name] = " ".join(fold(normalize_query(value)).split())
    if author is not None:
        where.append(AUTHOR_CLAUSE.format(alias=alias))
    if category is not None:
        where.append(
            f"EXISTS (SELECT 1 FROM json_each(coalesce({alias}.categories, '[]')) c "
            "WHERE trim(luutru_fold(c.value)) = :category)"
        )
    if has_attachment:
        where.append(f"{alias}.id IN (SELECT article_id FROM article_attachments)")
    return where, params


# -- snippets -----------------------------------------------------------------------------


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


def _first_match_at(folded: str, terms: list[Term]) -> int:
    """Offset of the first token where a term matches; 0 when none does."""
    pattern, pos = _first_match_re(tuple(terms)), 0
    while (m := pattern.search(folded, pos)) is not None:
        if m.start() == 0 or not _TOKEN_RE.match(folded, m.start() - 1):
            return m.start()
        pos = m.start() + 1
    return 0


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
    (archive/fts.py), so the text is folded here (~0.05 ms an article); `folded` may pass
    fold(text) when it is at hand. Only the characters around the first
    match are split into tokens (a few hundred rather than the whole article's thousands).
    """
    text = unicodedata.normalize("NFC", text or "")
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    n, before = len(folded), words // 3
    at = _first_match_at(folded, terms) if terms else 0
    # Generous bounds (a token averages 4-7 characters), checked below.
    lo, hi = max(0, at - 16 * (before + 1)), min(n, at + 16 * (words + 1))
    positions, start = _window_start(folded, at, lo, hi, words)
    if start is None:  # a window too short for the snippet (long tokens or none): all of it
        positions, start = _window_start(folded, at, 0, n, words)
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
    return snippet


# -- search -------------------------------------------------------------------------------


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    site: str | None = None,
    since: str | int | None = None,
    until: str | int | None = None,
    author: str | None = None,
    category: str | None = None,
    has_attachment: bool = False,
    exact: bool = False,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """Ranked hits for `query`: phrase matches of multi-word input first, then matches with
    the query's own diacritics, then bm25 (title above text); `dang` finds `Đảng`.

    `exact=True` keeps only rows matching the diacritics as typed (tone placement aside:
    `hòa` = `hoà`). `sort="date"` lists the newest first (undated last), relevance breaking
    ties. `since`/`until` (YYYY, YYYY-MM or YYYY-MM-DD, until inclusive of the whole period)
    filter on published_at, so undated articles drop out when either is given; see
    `filter_clauses` for the others.
    """
    parsed = parse_query(query)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
    if not isinstance(offset, int) or offset < 0:
        raise QueryError("offset must be 0 or more")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    register_functions(conn)
    # Filters the articles' indexes answer (site, published_at, attachments), and filters
    # computed row by row (folded author, categories): `_ranked` applies them differently.
    indexed, params = filter_clauses(site=site, since=since, until=until,
                                     has_attachment=has_attachment)
    computed, more = filter_clauses(author=author, category=category)
    params.update(more)
    filters = indexed + computed
    params.update({"match": match_expression(parsed), "limit": limit, "offset": offset})
    try:
        # One time limit for the whole search (several statements), not one per statement.
        with shared_deadline(conn):
            ranked = _ranked(conn, parsed, indexed, computed, params, sort=sort, exact=exact)
            if len(ranked) < limit and not exact and sort == "relevance":
                ranked += _attachment_matches(conn, parsed, filters, params,
                                              limit - len(ranked), {r[0] for r in ranked})
            ids = [r[0] for r in ranked]
            marks = ", ".join("?" * len(ids))
            rows = {r[0]: r for r in conn.execute(
                "SELECT a.id, a.canonical_url, a.title, a.published_at, a.site, a.author, "
                f"a.text FROM articles a WHERE a.id IN ({marks})", ids)} if ids else {}
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "interrupted" in message:
            raise QueryError(
                "search took too long and was stopped: add words or a filter"
            ) from None
        raise QueryError(f"search failed: {message}") from exc
    terms = highlight_terms(parsed)
    hits = []
    for rowid, row_score in ranked:
        r = rows.get(rowid)
        if r is None:  # FTS row without article: never written by the store, skip it
            continue
        hits.append(Hit(id=r[0], url=r[1], title=r[2], published_at=r[3], site=r[4],
                        author=r[5], snippet=make_snippet(r[6], terms),
                        score=round(float(row_score), 6)))
    return hits


def _ranked(
    conn: sqlite3.Connection, parsed: ParsedQuery, indexed: list[str], computed: list[str],
    params: dict[str, Any], *, sort: str, exact: bool,
) -> list[tuple[int, float]]:
    """(rowid, score) of the page's articles, best first: the ranking half of `search`.

    bm25 costs 1-3 µs per matching row and word: a word in most of 100,000 articles costs
    100 ms. Relevance therefore ranks within the most recently archived articles that hold
    every word of the query (`rank_window`: 10,000 for one word, 2,000 for five; found from
    the words' doclists, in rowid order, without reading positions: a few ms); filters apply
    inside it, and every match is ranked when the window holds too few hits. Date order and
    deep pages see every match.
    """
    limit, offset = params["limit"], params["offset"]
    floor = None
    window_size = rank_window(parsed)
    if sort == "relevance" and offset + limit <= window_size:
        row = conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :words "
            "ORDER BY rowid DESC LIMIT 1 OFFSET :window",
            {"words": window_expression(parsed), "window": window_size},
        ).fetchone()
        floor = row[0] if row else None
        params["floor"] = floor
    if floor is not None and indexed:
        # The filters keep too few articles inside the window (one site and month) for it to
        # fill a page: rank every match at once (an index-only count, < 1 ms).
        (kept,) = conn.execute("SELECT count(*) FROM articles a WHERE "
                               + " AND ".join(indexed) + " AND a.id > :floor", params).fetchone()
        if kept < offset + limit:
            floor = None
    rank_expr = ranking_expression(conn, parsed) if sort == "relevance" else None
    if rank_expr is not None:
        params["rank_match"] = rank_expr
    exact_expr = exact_expression(parsed, force=exact)
    if exact:
        assert exact_expr is not None
        params["exact_only"] = exact_expr
    boosts = []
    for name, expr, weight in (
        ("phrase", phrase_expression(parsed), 2),
        ("exact", None if exact else exact_expr, 1),
    ):
        if expr is not None:
            params[name] = expr
            boosts.append((name, weight))
    weights = ", ".join(str(w) for w in BM25_WEIGHTS)
    # bm25 is <= 0, lower is better; squash it into [0, 1) so the boosts form tiers above it.
    rank = f"max(0.0, -bm25(articles_fts, {weights}))"
    # FTS5 stays the outer loop (CROSS JOIN keeps the order of the loops). Filters the
    # articles' indexes answer become a set of article ids built once, tested before any row
    # lookup (105 ms -> 18 ms for one site and month on 100,000 articles); the articles table
    # is joined only for date order and for filters computed per row (folded author,
    # categories), which then run on matches alone. Only the page's rows are read in full.
    source = ("articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid"
              if sort == "date" or computed else "articles_fts")
    order = ("score DESC, articles_fts.rowid DESC" if sort == "relevance" else
             "a.published_at IS NULL, a.published_at DESC, score DESC, articles_fts.rowid DESC")

    def statement(windowed: bool) -> str:
        window = " AND rowid > :floor" if windowed else ""

        def within(name: str) -> str:
            # Rows matching :name. The unary + keeps SQLite from handing `rowid IN (...)`
            # to FTS5 as a constraint: FTS5 would run the outer MATCH once per listed rowid
            # (seconds, not milliseconds).
            return (f"+articles_fts.rowid IN (SELECT rowid FROM articles_fts "
                    f"WHERE articles_fts MATCH :{name}{window})")

        where = ["articles_fts MATCH :match" if rank_expr is None else
                 f"articles_fts MATCH :rank_match AND {within('match')}"]
        if windowed:
            where.append("articles_fts.rowid > :floor")
        if exact:
            where.append(within("exact_only"))
        if indexed:
            where.append("+articles_fts.rowid IN (SELECT a.id FROM articles a WHERE "
                         + " AND ".join(indexed) + (" AND a.id > :floor" if windowed else "")
                         + ")")
        where.extend(computed)
        score = " + ".join([*(f"{w} * ({within(n)})" for n, w in boosts),
                            f"1.0 - 1.0 / (1.0 + {rank})"])
        return (f"SELECT articles_fts.rowid, {score} AS score FROM {source} "
                f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit OFFSET :offset")

    if sort == "date":
        ranked = _newest_first(conn, params, indexed + computed, exact)
    else:
        ranked = conn.execute(statement(floor is not None), params).fetchall()
    # Too few hits inside the window (a filter or a phrase leaves little of it), or undated
    # articles to list after the dated ones: rank every match.
    if len(ranked) < limit and (sort == "date" or floor is not None):
        ranked = conn.execute(statement(False), params).fetchall()
    return ranked


def _attachment_matches(
    conn: sqlite3.Connection, parsed: ParsedQuery, filters: list[str], params: dict[str, Any],
    room: int, seen: set[int],
) -> list[tuple[int, float]]:
    """Articles whose attached files (PDF, DOCX text) match, after those that match
    themselves: score 0, newest-archived first."""
    sql = (
        "SELECT DISTINCT aa.article_id FROM attachments_fts f "
        "JOIN attachments t ON t.rowid = f.rowid "
        "JOIN article_attachments aa ON aa.sha256 = t.sha256 "
        "JOIN articles a ON a.id = aa.article_id "
        "WHERE attachments_fts MATCH :attachment_match"
        + "".join(f" AND {f}" for f in filters)
        + " ORDER BY aa.article_id DESC LIMIT :room"
    )
    found = conn.execute(sql, {
        **params,
        "attachment_match": match_expression(parsed, "{text_fold}"),
        "room": room + len(seen),
    }).fetchall()
    return [(r[0], 0.0) for r in found if r[0] not in seen][:room]


def _newest_first(
    conn: sqlite3.Connection, params: dict[str, Any], filters: list[str], exact: bool
) -> list[tuple[int, float]]:
    """Date order read from the published_at index, newest first, stopping at the page's end
    (~10 ms on 100,000 articles instead of sorting every match); dated articles only: the
    caller falls back to the full sort when the page is not filled, so undated ones come last.
    Ties on the date go newest-archived first. Scores are 0: bm25 would count each word's
    articles again per row (~7 ms each)."""
    only = " AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :exact_only)"
    sql = (
        "SELECT a.id FROM articles a INDEXED BY idx_articles_published_at "
        "WHERE a.published_at IS NOT NULL "
        "AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :match)"
        + (only if exact else "")
        + "".join(f" AND {f}" for f in filters)
        + " ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
    )
    return [(row[0], 0.0) for row in conn.execute(sql, params)]


ARTICLE_SHOW_COLUMNS = (
    "id", "site", "canonical_url", "url", "node_id", "title", "text", "author", "author_role",
    "author_prefix", "categories", "published_at", "published_precision", "published_raw",
    "published_source", "published_confidence", "content_hash", "revision", "first_seen",
    "last_seen", "first_run", "last_run", "gone_at", "warc_file", "warc_offset",
    "warc_record_id", "warc_digest",
)


def get_article(conn: sqlite3.Connection, url_or_id: str | int) -> dict[str, Any] | None:
    """One article by id, canonical URL or any URL it was seen under (aliases, /node/N), with
    its provenance: every URL (`urls`), the runs that saw it first and last, the WARC record
    when one was written, and its attachments (`attachments`)."""
    present = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    names = [c for c in ARTICLE_SHOW_COLUMNS if c in present]
    cols = ", ".join(names)
    row = None
    key = str(url_or_id).strip()
    if key.isdigit() and len(key) <= 18:
        row = conn.execute(f"SELECT {cols} FROM articles WHERE id = ?", (int(key),)).fetchone()
    if row is None:
        row = conn.execute(f"SELECT {cols} FROM articles WHERE canonical_url = ?",
                           (key,)).fetchone()
    if row is None:
        row = conn.execute(
            f"SELECT {cols} FROM articles WHERE id = "
            "(SELECT article_id FROM article_urls WHERE url = ?)", (key,)
        ).fetchone()
    if row is None:
        return None
    article = {c: None for c in ARTICLE_SHOW_COLUMNS}
    article.update(zip(names, row, strict=True))
    article["categories"] = json.loads(article["categories"] or "[]")
    article["urls"] = [
        u for (u,) in conn.execute(
            "SELECT url FROM article_urls WHERE article_id = ? ORDER BY first_seen, url",
            (article["id"],),
        )
    ]
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'article_attachments'").fetchone()
    article["attachments"] = [] if not has_table else [
        {"url": u, "label": label, "sha256": sha, "mime": mime, "size": size, "path": path}
        for u, label, sha, mime, size, path in conn.execute(
            "SELECT aa.url, aa.label, aa.sha256, at.mime, at.size, at.path "
            "FROM article_attachments aa LEFT JOIN attachments at ON at.sha256 = aa.sha256 "
            "WHERE aa.article_id = ? ORDER BY aa.url", (article["id"],),
        )
    ]
    return article
