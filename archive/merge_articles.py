"""Articles of `luutru merge`: every observation of an article, from the target and every
shard, folded into one row by content and time, never by the order shards arrive in.

An article's rows in all sources (the target counts as one) are first put together the way
`Archive.store_article` (archive/store.py) would have met them in one crawl, replayed in order
of first sight: the same canonical URL (or a URL a source already knew as its alias) is the
same article; a new canonical URL whose site already holds its content hash or node id is a
duplicate (its URLs become aliases of the article seen first). Canonical URLs are compared in
today's canonical form (archive/urls.py), so shards whose builds spelled them differently
meet. Two rows of one source are never joined: its own crawl judged them distinct. Then, per
article:

- revisions: every source's revisions, plus each source's current content at its `last_seen`,
  sorted by (fetched time, content hash) and with consecutive equal hashes folded into the
  first: a new revision exactly when the content changed, as the store decides;
- the current row: the source that saw it last (ties: larger content hash, then a digest of
  the row); its date columns from the most confident dated source (the store never lets a
  weaker date replace a stronger one); canonical URL from the source that saw it first;
- first_seen/last_seen: min/max; gone: only when the latest observation is a 404/410
  (`gone_at` later than every `last_seen`), dated by the first such mark.

Rows and revisions are rewritten only when the result differs, so a second merge of the same
shards changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from archive.schema import ARTICLE_COLUMNS
from archive.urls import canonicalize_url, host_twins

# Article columns read for every row (the texts only for the rows written).
META = [c for c in ARTICLE_COLUMNS if c not in ("title", "text")]
_DATE = ("published_at", "published_precision", "published_raw", "published_source",
         "published_confidence")
_DIGEST_SKIP = {"id", "first_run", "last_run", "warc_file", "first_seen", "last_seen",
                "gone_at", "revision"}
_WRITE = [c for c in META if c != "id"]


class StoredRevision(NamedTuple):
    """One row of a source's `revisions` table, without its texts."""

    id: int
    content_hash: str
    fetched_at: str | None
    run_id: int | None  # the source's run id
    warc_record_id: str | None


class Version(NamedTuple):
    """One distinct version of a merged article (`merged_revisions`), and the row of `src`
    its title and text are read from: a revision, or the article row (its current text)."""

    content_hash: str
    fetched_at: str | None
    run_id: int | None  # the target's run id
    warc_record_id: str | None
    src: Source
    table: str  # "revisions" or "articles"
    row_id: int


@dataclass
class Source:
    """The target (idx 0) or one shard, with its ids mapped to the target's."""

    idx: int
    key: str  # sorts sources for ties: "" for the target, the shard's origin otherwise
    conn: sqlite3.Connection
    run_map: dict[int, int] = field(default_factory=dict)
    run_keys: dict[int, str] = field(default_factory=dict)
    warc_map: dict[str, str] = field(default_factory=dict)

    @property
    def is_target(self) -> bool:
        return self.idx == 0

    def run_key(self, run_id: int | None) -> str:
        """The run's identity across archives (origin#id), "" when unknown."""
        return "" if run_id is None else self.run_keys.get(run_id, "")

    def run(self, run_id: int | None) -> int | None:
        if run_id is None or self.is_target:
            return run_id
        return self.run_map.get(run_id)

    def warc(self, rel: str | None) -> str | None:
        return rel if rel is None or self.is_target else self.warc_map.get(rel, rel)


@dataclass
class Member:
    """One source's row of an article, with its revisions and alias URLs."""

    src: Source
    row: dict[str, Any]
    revisions: list[StoredRevision]
    urls: list[tuple[str, str | None]]
    digest: str = ""
    key: str = ""  # canonical_url canonicalised again with today's rules (archive/urls.py)

    @property
    def first_key(self) -> tuple[str, str, str]:
        return (self.row["first_seen"] or "", self.row["canonical_url"], self.src.key)

    @property
    def last_key(self) -> tuple[str, str, str, str]:
        return (self.row["last_seen"] or "", self.row["content_hash"], self.digest, self.src.key)


@dataclass
class Group:
    members: list[Member] = field(default_factory=list)
    target: Member | None = None
    sources: set[int] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)  # the members' canonical URLs (today's form)


@dataclass(kw_only=True)
class ArticleCounts:
    """What folding the articles did: the article half of a merge's result (`MergeResult`
    extends it, so `merge_articles` counts straight into what the CLI reports)."""

    articles_added: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_duplicate: int = 0
    revisions: int = 0  # revision rows written (an updated article's are rewritten whole)
    gone: int = 0  # gone marks set or moved


class _Canonical:
    """Today's canonical form of a stored canonical URL, on its site's origin and twins, so
    shards whose luutru spelled a URL differently still meet (a no-op for one build)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.origins = {slug: base for slug, base in conn.execute(
            "SELECT slug, base_url FROM sites WHERE base_url IS NOT NULL")}
        self.twins = {slug: host_twins(base) for slug, base in self.origins.items()}

    def __call__(self, site: str, url: str) -> str:
        try:
            return canonicalize_url(url, origin=self.origins.get(site),
                                    aliases=self.twins.get(site, ()))
        except ValueError:
            return url


def load_members(src: Source, only: set[int] | None = None) -> list[Member]:
    """Every article of a source (or those whose id is in `only`), without its texts."""
    canonical = _Canonical(src.conn)
    revs: dict[int, list[StoredRevision]] = {}
    for article_id, *revision in src.conn.execute(
            "SELECT article_id, id, content_hash, fetched_at, run_id, warc_record_id "
            "FROM revisions ORDER BY article_id, revision, id"):
        if only is None or article_id in only:
            revs.setdefault(article_id, []).append(StoredRevision(*revision))
    urls: dict[int, list[tuple[str, str | None]]] = {}
    for url, article_id, first_seen in src.conn.execute(
            "SELECT url, article_id, first_seen FROM article_urls"):
        if only is None or article_id in only:
            urls.setdefault(article_id, []).append((url, first_seen))
    members = []
    for values in src.conn.execute(f"SELECT {', '.join(META)} FROM articles"):
        row = dict(zip(META, values, strict=True))
        if only is not None and row["id"] not in only:
            continue
        digest = hashlib.sha256(json.dumps(
            [row[c] for c in META if c not in _DIGEST_SKIP], default=str).encode()).hexdigest()
        members.append(Member(src, row, revs.get(row["id"], []), urls.get(row["id"], []),
                              digest, canonical(row["site"], row["canonical_url"])))
    return members


def _target_ids(target: Source, members: list[Member]) -> set[int]:
    """The target's articles a shard row could meet (URL, alias, content hash, node id): only
    these are loaded, so a merge into a 100,000-article archive holds the shards' rows and
    their matches in memory, not the whole archive."""
    keys = {m.key for m in members} | {u for m in members for u, _ in m.urls}
    hashes = {(m.row["site"], h) for m in members
              for h in {m.row["content_hash"], *(r.content_hash for r in m.revisions)}}
    nodes = {(m.row["site"], m.row["node_id"]) for m in members if m.row["node_id"] is not None}
    canonical = _Canonical(target.conn)
    ids: set[int] = set()
    for article_id, site, url, h, node in target.conn.execute(
            "SELECT id, site, canonical_url, content_hash, node_id FROM articles"):
        if (url in keys or (site, h) in hashes or (site, node) in nodes
                or canonical(site, url) in keys):
            ids.add(article_id)
    for article_id, site, h in target.conn.execute(
            "SELECT r.article_id, a.site, r.content_hash FROM revisions r "
            "JOIN articles a ON a.id = r.article_id"):
        if (site, h) in hashes:
            ids.add(article_id)
    for url, article_id in target.conn.execute("SELECT url, article_id FROM article_urls"):
        if url in keys:
            ids.add(article_id)
    return ids


def group_members(members: list[Member]) -> list[Group]:
    """Put each source's rows of one article together, replayed in order of first sight.

    The same canonical URL joins; an alias URL, content hash or node id joins only a group
    holding no row of the same source nor a canonical URL that source has for another row:
    two rows of one source stay two articles (its own crawl judged them distinct)."""
    members = sorted(members, key=lambda m: (*m.first_key, m.row["id"]))
    keys: dict[int, set[str]] = {}
    for m in members:
        keys.setdefault(m.src.idx, set()).add(m.key)
    groups: list[Group] = []
    by_url: dict[str, Group] = {}
    by_alias: dict[str, Group] = {}
    by_hash: dict[tuple[str, str], Group] = {}
    by_node: dict[tuple[str, int], Group] = {}
    for m in members:
        site, canon = m.row["site"], m.key
        g = by_url.get(canon)
        if g is None:
            first_hash = m.revisions[0].content_hash if m.revisions else m.row["content_hash"]
            g = by_alias.get(canon) or by_hash.get((site, first_hash))
            if g is None and m.row["node_id"] is not None:
                g = by_node.get((site, m.row["node_id"]))
            if g is not None and keys[m.src.idx] & g.keys:
                g = None
        if g is None or m.src.idx in g.sources:
            g = Group()
            groups.append(g)
        g.members.append(m)
        g.sources.add(m.src.idx)
        g.keys.add(canon)
        if m.src.is_target:
            g.target = m
        by_url.setdefault(canon, g)
        for url, _ in m.urls:
            by_alias.setdefault(url, g)
        for h in {m.row["content_hash"], *(r.content_hash for r in m.revisions)}:
            by_hash.setdefault((site, h), g)
        if m.row["node_id"] is not None:
            by_node.setdefault((site, m.row["node_id"]), g)
    return groups


def merged_revisions(g: Group) -> list[Version]:
    """Every distinct version, oldest first."""
    obs: list[tuple[tuple[str, str, int, str, str], Version]] = []
    for m in g.members:
        for rev_id, h, fetched_at, run_id, record in m.revisions:
            obs.append(((fetched_at or "", h, 0, record or "", m.src.run_key(run_id)),
                        Version(h, fetched_at, m.src.run(run_id), record, m.src, "revisions",
                                rev_id)))
        run_id = m.row["last_run"]
        obs.append(((m.row["last_seen"] or "", m.row["content_hash"], 1,
                     m.row["warc_record_id"] or "", m.src.run_key(run_id)),
                    Version(m.row["content_hash"], m.row["last_seen"], m.src.run(run_id),
                            m.row["warc_record_id"], m.src, "articles", m.row["id"])))
    obs.sort(key=lambda o: o[0])
    out: list[Version] = []
    for _, version in obs:
        if not out or out[-1].content_hash != version.content_hash:
            out.append(version)
    return out


def _confidence(m: Member) -> float:
    value = m.row["published_confidence"]
    return 1.0 if value is None else float(value)


def merged_row(g: Group) -> dict[str, Any]:
    """The article row the merge keeps (ids mapped to the target's), without title/text."""
    first = min(g.members, key=lambda m: m.first_key)
    current = max(g.members, key=lambda m: m.last_key)
    values = {c: current.row[c] for c in _WRITE}
    dated = [m for m in g.members if m.row["published_at"] is not None]
    if dated:
        best = max(dated, key=lambda m: (_confidence(m), *m.last_key))
        values.update({c: best.row[c] for c in _DATE})
    values["canonical_url"] = first.row["canonical_url"]
    if current.row["canonical_url"] != first.row["canonical_url"]:
        values["url"] = first.row["url"]
    values["first_seen"] = first.row["first_seen"]
    values["last_seen"] = current.row["last_seen"]
    values["first_run"] = first.src.run(first.row["first_run"])
    values["last_run"] = current.src.run(current.row["last_run"])
    values["warc_file"] = current.src.warc(current.row["warc_file"])
    latest = values["last_seen"] or ""
    marks = [m.row["gone_at"] for m in g.members if m.row["gone_at"] and m.row["gone_at"] > latest]
    values["gone_at"] = min(marks) if marks else None
    return values


def _texts(src: Source, table: str, row_id: int) -> tuple[str, str]:
    title, text = src.conn.execute(
        f"SELECT title, text FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return title, text


def write_group(w: sqlite3.Connection, g: Group, counts: ArticleCounts) -> int:
    """Write one article's merged row and revisions to the target; its id there."""
    values = merged_row(g)
    revisions = merged_revisions(g)
    values["revision"] = len(revisions)
    current = max(g.members, key=lambda m: m.last_key)
    old = g.target
    if old is None:
        title, text = _texts(current.src, "articles", current.row["id"])
        cols = [*_WRITE, "title", "text"]
        cur = w.execute(f"INSERT INTO articles ({', '.join(cols)}) VALUES "
                        f"({', '.join('?' * len(cols))})",
                        [*(values[c] for c in _WRITE), title, text])
        article_id = int(cur.lastrowid or 0)
        counts.articles_added += 1
        counts.gone += values["gone_at"] is not None
        changed_revisions = True
    else:
        article_id = old.row["id"]
        changes = {c: values[c] for c in _WRITE if values[c] != old.row[c]}
        if values["content_hash"] != old.row["content_hash"]:
            changes["title"], changes["text"] = _texts(current.src, "articles", current.row["id"])
        if changes:
            w.execute(f"UPDATE articles SET {', '.join(f'{c} = ?' for c in changes)} "
                      "WHERE id = ?", [*changes.values(), article_id])
        counts.gone += "gone_at" in changes and values["gone_at"] is not None
        mine = [(h, at, run, rec) for _, h, at, run, rec in old.revisions]
        changed_revisions = mine != [r[:4] for r in revisions]
        if "content_hash" in changes or [r.content_hash for r in old.revisions] != [
                r.content_hash for r in revisions]:
            counts.articles_updated += 1
        else:
            counts.articles_unchanged += 1
    if changed_revisions:
        # Texts are read before the target's own revisions are deleted (some are kept).
        rows = [(article_id, n, *_texts(v.src, v.table, v.row_id), v.content_hash,
                 v.fetched_at, v.run_id, v.warc_record_id) for n, v in enumerate(revisions, 1)]
        w.execute("DELETE FROM revisions WHERE article_id = ?", (article_id,))
        w.executemany("INSERT INTO revisions (article_id, revision, title, text, content_hash, "
                      "fetched_at, run_id, warc_record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        counts.revisions += len(revisions)
    known = {u for u, _ in old.urls} if old is not None else set()
    counts.articles_duplicate += sum(
        1 for m in g.members if not m.src.is_target
        and m.row["canonical_url"] != values["canonical_url"]
        and m.row["canonical_url"] not in known)
    return article_id


def merge_article_urls(w: sqlite3.Connection, written: list[tuple[Group, int, str]]) -> int:
    """Every URL an article was seen under, pointing at the article that saw it first
    (ties: canonical URL); returns the rows added or moved."""
    best: dict[str, tuple[str, str, int]] = {}
    for g, article_id, canonical in written:
        for m in g.members:
            seen = m.row["first_seen"] or ""
            pairs = [*m.urls, (m.row["canonical_url"], seen), (m.row["url"], seen)]
            for url, first_seen in pairs:
                if not url:
                    continue
                cand = (first_seen or seen, canonical, article_id)
                if url not in best or cand < best[url]:
                    best[url] = cand
    changed = 0
    for url, (first_seen, canonical, article_id) in sorted(best.items()):
        row = w.execute("SELECT u.article_id, u.first_seen, a.canonical_url FROM article_urls u "
                        "JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
                        (url,)).fetchone()
        if row is None:
            w.execute("INSERT INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
                      (url, article_id, first_seen))
            changed += 1
            continue
        cand = min((first_seen, canonical, article_id), (row[1] or "", row[2], row[0]))
        if (cand[2], cand[0]) != (row[0], row[1] or ""):
            w.execute("UPDATE article_urls SET article_id = ?, first_seen = ? WHERE url = ?",
                      (cand[2], cand[0], url))
            changed += 1
    return changed


def merge_articles(w: sqlite3.Connection, target: Source, shards: list[Source],
                   counts: ArticleCounts, say: Callable[[int, int], None] | None = None
                   ) -> dict[tuple[int, int], int]:
    """Fold the shards' articles into the target; (shard idx, shard article id) -> target id."""
    members: list[Member] = []
    for src in shards:
        members += load_members(src)
    members += load_members(target, _target_ids(target, members))
    groups = [g for g in group_members(members)
              if any(not m.src.is_target for m in g.members)]
    mapping: dict[tuple[int, int], int] = {}
    written: list[tuple[Group, int, str]] = []
    for n, g in enumerate(groups, 1):
        article_id = write_group(w, g, counts)
        canonical = min(g.members, key=lambda m: m.first_key).row["canonical_url"]
        written.append((g, article_id, canonical))
        for m in g.members:
            if not m.src.is_target:
                mapping[(m.src.idx, m.row["id"])] = article_id
        if say is not None:
            say(n, len(groups))
    merge_article_urls(w, written)
    return mapping
