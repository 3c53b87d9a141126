"""The reading room's search page: the CLI's search engine (`archive.search.search`), its
hits turned into result cards, and facets counted over the same matches.

Nothing here ranks or matches by itself: hits come from `search()`, facet rows from the same
`match_expression` and `filter_clauses` the CLI uses. Facets count the newest matches, at most
FACET_SAMPLE of them and as many as FACET_BUDGET_S allows (a narrow author filter walks many
matches per kept row), and the page says how many; `counts=all` counts every match.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from archive.folding import fold
from archive.search import (
    SORTS,
    QueryError,
    Term,
    exact_expression,
    filter_clauses,
    highlight_terms,
    match_expression,
    parse_query,
    register_functions,
    search,
)

PAGE_SIZE = 20
MAX_PAGE = 500  # 10,000 results deep: far past anyone reading, short of a crawler's loop
FACET_SAMPLE = 1000
# Facets' share of a search page's time: past it, the matches read so far are counted.
FACET_BUDGET_S = 0.015
FACET_VALUES = 10  # schools, categories, authors: the most frequent
FACET_YEARS = 40  # years: all of them, newest first (twenty years of sites, and more)
_YEAR_RE = re.compile(r"^[0-9]{4}$")
_TOKEN_RE = re.compile(r"[^\W_]+")
# A span `make_snippet` bracketed: [words] with no bracket inside.
_BRACKETED_RE = re.compile(r"\[([^\[\]]+)\]")


@dataclass(frozen=True)
class SearchForm:
    """What the search form (and every facet or pager link) asks for."""

    q: str = ""
    site: str = ""
    year: str = ""
    author: str = ""
    category: str = ""
    sort: str = "relevance"
    exact: bool = False
    page: int = 1
    all_counts: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> tuple[SearchForm, list[str]]:
        """The form from query-string arguments, and a message for each value put right
        (a bad page number is page 1, not an error page)."""
        problems: list[str] = []
        try:
            page = int(args.get("page") or 1)
        except ValueError:
            page = 1
            problems.append("Số trang không hợp lệ / Invalid page number")
        if not 1 <= page <= MAX_PAGE:
            problems.append(f"Trang 1–{MAX_PAGE} / Pages 1 to {MAX_PAGE}")
            page = min(max(page, 1), MAX_PAGE)
        year = (args.get("year") or "").strip()
        if year and not _YEAR_RE.match(year):
            problems.append(f"Năm phải có 4 chữ số / A year has 4 digits: {year!r}")
            year = ""
        sort = args.get("sort") or "relevance"
        if sort not in SORTS:
            sort = "relevance"
        form = cls(
            q=(args.get("q") or "").strip(), site=(args.get("site") or "").strip(), year=year,
            author=(args.get("author") or "").strip(),
            category=(args.get("category") or "").strip(), sort=sort,
            exact=args.get("exact") == "1", page=page, all_counts=args.get("counts") == "all",
        )
        return form, problems

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `search()` and `filter_clauses()`."""
        return {
            "site": self.site or None, "since": self.year or None, "until": self.year or None,
            "author": self.author or None, "category": self.category or None,
        }

    def link(self, **changes: Any) -> str:
        """`?…` for this form with some fields changed (page back to 1 unless given)."""
        changes.setdefault("page", 1)
        form = replace(self, **changes)
        pairs = [("q", form.q), ("site", form.site), ("year", form.year),
                 ("author", form.author), ("category", form.category)]
        if form.sort != "relevance":
            pairs.append(("sort", form.sort))
        if form.exact:
            pairs.append(("exact", "1"))
        if form.all_counts:
            pairs.append(("counts", "all"))
        if form.page > 1:
            pairs.append(("page", str(form.page)))
        return "?" + urlencode([(k, v) for k, v in pairs if v])


@dataclass
class Card:
    """One search result as the page shows it."""

    id: int
    title: str
    date_printed: str
    published_at: str | None
    site: str
    site_name: str
    author: str | None
    snippet_html: str
    gone_at: str | None
    url: str
    revision: int = 1


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    link: str


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


@dataclass
class Results:
    """Everything the search template needs."""

    form: SearchForm
    cards: list[Card] = field(default_factory=list)
    has_next: bool = False
    facets: list[Facet] = field(default_factory=list)
    counted: int = 0  # matching articles the facets counted
    complete: bool = True  # False: the facets saw only the newest FACET_SAMPLE matches
    error: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int | None:
        """How many articles match (attachment-only matches aside), when known."""
        return self.counted if self.complete else None

    @property
    def last_page(self) -> int | None:
        total = self.total
        return None if total is None else max(1, -(-total // PAGE_SIZE))


def mark_snippet(snippet: str, terms: list[Term]) -> str:
    """HTML of a `make_snippet` snippet with its [matches] in <mark>. A bracket pair the text
    itself holds (`[1]`, a footnote) is left as printed: only spans whose words are a query
    term are marked."""
    out: list[str] = []
    cursor = 0
    for m in _BRACKETED_RE.finditer(snippet):
        out.append(html.escape(snippet[cursor : m.start()]))
        inner = m[1]
        if _is_term(inner, terms):
            out.append(f"<mark>{html.escape(inner)}</mark>")
        else:
            out.append(html.escape(m[0]))
        cursor = m.end()
    out.append(html.escape(snippet[cursor:]))
    return "".join(out)


def _is_term(text: str, terms: list[Term]) -> bool:
    tokens = tuple(_TOKEN_RE.findall(fold(text)))
    for t in terms:
        if len(tokens) != len(t.tokens):
            continue
        head_ok = tokens[:-1] == t.tokens[:-1]
        last_ok = (tokens[-1].startswith(t.tokens[-1]) if t.prefix
                   else tokens[-1] == t.tokens[-1])
        if head_ok and last_ok:
            return True
    return False


def site_names(conn: sqlite3.Connection) -> dict[str, str]:
    """slug -> the school's Vietnamese name, for every site the archive knows."""
    return {slug: name or slug for slug, name in conn.execute("SELECT slug, name FROM sites")}


def site_counts(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(slug, articles) for the home page, from the (site, published_at) index alone."""
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT site, count(*) FROM articles GROUP BY site ORDER BY count(*) DESC")]


def run_search(conn: sqlite3.Connection, form: SearchForm) -> Results:
    """One page of results and the facets for `form` (which must have a query)."""
    results = Results(form=form)
    try:
        parsed = parse_query(form.q)
        hits = search(conn, form.q, sort=form.sort, exact=form.exact, limit=PAGE_SIZE + 1,
                      offset=(form.page - 1) * PAGE_SIZE, **form.filters())
    except QueryError as exc:
        results.error = str(exc)
        return results
    results.has_next = len(hits) > PAGE_SIZE
    hits = hits[:PAGE_SIZE]
    names = site_names(conn)
    extra = _card_columns(conn, [h.id for h in hits])
    terms = highlight_terms(parsed)
    for h in hits:
        raw, gone, revision = extra.get(h.id, (None, None, 1))
        results.cards.append(Card(
            id=h.id, title=h.title, date_printed=raw or (h.published_at or "")[:10],
            published_at=h.published_at, site=h.site, site_name=names.get(h.site, h.site),
            author=h.author, snippet_html=mark_snippet(h.snippet, terms), gone_at=gone,
            url=h.url, revision=revision or 1,
        ))
    try:
        _count_facets(conn, form, results, names)
    except (QueryError, sqlite3.OperationalError) as exc:
        # The page of hits stands; the facets say why they are missing.
        results.problems.append(f"Không đếm được nhóm / Facets not counted: {exc}")
        results.complete = False
    # search() adds articles whose attached files match after the articles that do: the
    # facets do not count those, so the total is at least what the pages list.
    shown = (form.page - 1) * PAGE_SIZE + len(results.cards)
    if results.complete and (shown > results.counted
                             or (results.has_next and shown >= results.counted)):
        results.complete = False
    return results


def _card_columns(conn: sqlite3.Connection, ids: list[int]
                  ) -> dict[int, tuple[Any, Any, Any]]:
    """published_raw, gone_at and revision of the page's articles (a `Hit` has none)."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    return {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
        f"SELECT id, published_raw, gone_at, revision FROM articles WHERE id IN ({marks})",
        ids)}


def facet_rows(conn: sqlite3.Connection, form: SearchForm, cap: int | None,
               budget_s: float | None = None
               ) -> tuple[list[tuple[str, str | None, str | None, str | None]], bool]:
    """(site, published_at, author, categories) of the articles matching `form`'s query and
    filters, newest-archived first, and whether that is all of them. At most `cap` rows
    (None: all), read for at most `budget_s` seconds (None: the connection's time limit).
    The same MATCH string and filter clauses as `search()`; the indexed filters become one
    id set, as there."""
    parsed = parse_query(form.q)
    register_functions(conn)
    f = form.filters()
    indexed, params = filter_clauses(site=f["site"], since=f["since"], until=f["until"])
    computed, more = filter_clauses(author=f["author"], category=f["category"])
    params.update(more)
    params["match"] = match_expression(parsed)
    where = ["articles_fts MATCH :match"]
    if form.exact:
        params["exact_only"] = exact_expression(parsed, force=True)
        where.append("+articles_fts.rowid IN (SELECT rowid FROM articles_fts "
                     "WHERE articles_fts MATCH :exact_only)")
    if indexed:
        where.append("+articles_fts.rowid IN (SELECT a.id FROM articles a WHERE "
                     + " AND ".join(indexed) + ")")
    where.extend(computed)
    sql = ("SELECT a.site, a.published_at, a.author, a.categories "
           "FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
           f"WHERE {' AND '.join(where)} ORDER BY articles_fts.rowid DESC")
    if cap is not None:
        sql += " LIMIT :cap"
        params["cap"] = cap
    deadline = None if budget_s is None else time.monotonic() + budget_s
    cursor = conn.execute(sql, params)
    rows: list[tuple[str, str | None, str | None, str | None]] = []
    while True:
        batch = cursor.fetchmany(100)
        rows.extend(batch)
        if len(batch) < 100 or (cap is not None and len(rows) >= cap):
            return rows, cap is None or len(rows) < cap
        if deadline is not None and time.monotonic() > deadline:
            cursor.close()
            return rows, False


def _count_facets(conn: sqlite3.Connection, form: SearchForm, results: Results,
                  names: dict[str, str]) -> None:
    if form.all_counts:
        rows, complete = facet_rows(conn, form, None)
    else:
        rows, complete = facet_rows(conn, form, FACET_SAMPLE + 1, FACET_BUDGET_S)
        complete = complete and len(rows) <= FACET_SAMPLE
        rows = rows[:FACET_SAMPLE]
    results.complete = complete
    results.counted = len(rows)
    sites = Counter(r[0] for r in rows)
    years = Counter(r[1][:4] for r in rows if r[1] and r[1][:4].isdigit())
    authors = Counter(r[2] for r in rows if r[2])
    categories: Counter[str] = Counter()
    # A few distinct category lists repeat across a thousand rows: decode each list once.
    for cats, count in Counter(r[3] for r in rows if r[3]).items():
        try:
            values = json.loads(cats)
        except ValueError:
            continue
        if not isinstance(values, list):
            continue
        for c in dict.fromkeys(v for v in values if isinstance(v, str) and v):
            categories[c] += count
    specs: list[tuple[str, str, Counter[str], bool]] = [
        ("site", "Trường / School", sites, False),
        ("year", "Năm / Year", years, True),
        ("category", "Chuyên mục / Category", categories, False),
        ("author", "Tác giả / Author", authors, False),
    ]
    for name, label, counter, by_value in specs:
        chosen = getattr(form, name)
        ordered = (sorted(counter.items(), key=lambda kv: kv[0], reverse=True) if by_value
                   else counter.most_common())
        facet = Facet(name=name, label=label)
        for value, count in ordered[: FACET_YEARS if by_value else FACET_VALUES]:
            selected = value == chosen
            facet.values.append(FacetValue(
                value=value, label=names.get(value, value) if name == "site" else value,
                count=count, selected=selected,
                link=form.link(**{name: "" if selected else value}),
            ))
        if chosen and not any(v.selected for v in facet.values):
            # A filter that matched nothing in the counted rows still shows, to be removed.
            facet.values.insert(0, FacetValue(
                value=chosen, label=names.get(chosen, chosen) if name == "site" else chosen,
                count=counter.get(chosen, 0), selected=True, link=form.link(**{name: ""})))
        results.facets.append(facet)
