"""Near-duplicate articles across sites: MinHash fingerprints, LSH clusters, links (never deletes).

School news is reposted on the province portal, on the merged school's new site, or twice on one
site. Each article gets a MinHash fingerprint (datasketch, 64 permutations) over the word
3-shingles of its folded text (`archive.folding.fold`: no diacritics, đ -> d, lower case), kept in
`articles.fingerprint` as `mh64x32:<hex>`. Candidate pairs come from MinHash LSH at a Jaccard
threshold (default 0.8) and are kept when their estimated Jaccard similarity reaches it.

Links go to `article_links(a, b, kind, score)` with a < b: `exact` for the same content hash on
two sites, `near` for a MinHash pair. The table is created here, idempotently; rows are only
inserted or their score refreshed, and no article is ever deleted or merged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

from archive.minhash import shingles

NUM_PERM = 64


def _new_minhash(**kwargs: Any) -> MinHash:
    """A MinHash with a pinned permutation scheme (datasketch 2 asks for one when hash values
    are given back; 1.x has only its legacy scheme)."""
    try:
        return MinHash(num_perm=NUM_PERM, scheme="affine32", **kwargs)
    except TypeError:
        return MinHash(num_perm=NUM_PERM, **kwargs)


# The seed's permutations, drawn once: drawing them costs as much as hashing an article's
# shingles (~0.5 ms), and every MinHash of the archive uses the same ones.
_PERMUTATIONS = _new_minhash().permutations
_DTYPE = np.dtype(_new_minhash().hashvalues.dtype).newbyteorder("<")
# The stored form names the hash width, so a fingerprint from another scheme is recomputed.
PREFIX = f"mh{NUM_PERM}x{_DTYPE.itemsize * 8}:"
DEFAULT_THRESHOLD = 0.8

LINKS_SQL = """
CREATE TABLE IF NOT EXISTS article_links (
    a INTEGER NOT NULL REFERENCES articles(id),
    b INTEGER NOT NULL REFERENCES articles(id),
    kind TEXT NOT NULL,
    score REAL,
    linked_at TEXT,
    PRIMARY KEY (a, b, kind),
    CHECK (a < b)
)
"""


def minhash(text: str) -> MinHash:
    """The MinHash of a text's shingles, fed in one `update_batch` call: the same hash values
    as one `update` per shingle (a min over the same set), without a numpy round per shingle
    (profiled at 4.9 s of a 1,000-article crawl) and with the seed's permutations drawn once."""
    m = _new_minhash(permutations=_PERMUTATIONS)
    m.update_batch([s.encode("utf-8") for s in shingles(text)])
    return m


def fingerprint(text: str) -> str:
    """The stored form of an article's MinHash: `mh64x32:` + the hash values as hex."""
    values = np.asarray(minhash(text).hashvalues).astype(_DTYPE)
    return PREFIX + values.tobytes().hex()


def from_fingerprint(value: str) -> MinHash | None:
    """The MinHash of a stored fingerprint, or None for another format (recompute it)."""
    if not value or not value.startswith(PREFIX):
        return None
    raw = bytes.fromhex(value[len(PREFIX):])
    values = np.frombuffer(raw, dtype=_DTYPE)
    if len(values) != NUM_PERM:
        return None
    return _new_minhash(hashvalues=values.astype(_DTYPE.newbyteorder("=")))


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """`BEGIN IMMEDIATE` ... `COMMIT` on an autocommit writer connection (archive/db.py)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def ensure_links_table(conn: sqlite3.Connection) -> None:
    with _transaction(conn):
        conn.execute(LINKS_SQL)
        conn.execute("CREATE INDEX IF NOT EXISTS idx_article_links_b ON article_links (b)")


def fill_fingerprints(conn: sqlite3.Connection, *, batch: int = 500) -> int:
    """Compute the fingerprint of every article lacking one (or holding an older format).

    `conn` is a writer connection; returns how many rows were filled."""
    rows = conn.execute(
        "SELECT id, text FROM articles WHERE fingerprint IS NULL OR fingerprint NOT LIKE ?",
        (PREFIX + "%",),
    ).fetchall()
    done = 0
    for start in range(0, len(rows), batch):
        chunk = [(fingerprint(text or ""), art_id) for art_id, text in rows[start: start + batch]]
        with _transaction(conn):
            conn.executemany("UPDATE articles SET fingerprint = ? WHERE id = ?", chunk)
        done += len(chunk)
    return done


@dataclass
class Cluster:
    """Articles that are the same text, linked pairwise (exact or near)."""

    articles: list[dict[str, Any]]
    pairs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sites(self) -> list[str]:
        return sorted({a["site"] for a in self.articles})

    def as_dict(self) -> dict[str, Any]:
        return {"sites": self.sites, "size": len(self.articles), "articles": self.articles,
                "pairs": self.pairs}


def candidate_pairs(
    conn: sqlite3.Connection, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, str, float]]:
    """(a, b, kind, score) with a < b: exact content-hash twins on two sites, and MinHash LSH
    pairs whose estimated Jaccard similarity reaches `threshold`."""
    pairs: dict[tuple[int, int], tuple[str, float]] = {}
    for ids in conn.execute(
        "SELECT group_concat(id) FROM articles GROUP BY content_hash "
        "HAVING count(DISTINCT site) > 1"
    ):
        members = sorted(int(x) for x in ids[0].split(","))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                pairs[(a, b)] = ("exact", 1.0)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[int, MinHash] = {}
    for art_id, value, text in conn.execute("SELECT id, fingerprint, text FROM articles"):
        m = from_fingerprint(value) or minhash(text or "")
        hashes[art_id] = m
        lsh.insert(art_id, m)
    for art_id, m in hashes.items():
        for other in lsh.query(m):
            if other <= art_id:
                continue
            key = (art_id, other)
            if key in pairs:
                continue
            score = m.jaccard(hashes[other])
            if score >= threshold:
                pairs[key] = ("near", round(float(score), 4))
    return [(a, b, kind, score) for (a, b), (kind, score) in sorted(pairs.items())]


def link_duplicates(
    conn: sqlite3.Connection, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, int, str, float]]:
    """Fill missing fingerprints, find the pairs and record them in `article_links`."""
    from archive.store import utc_now

    ensure_links_table(conn)
    fill_fingerprints(conn)
    pairs = candidate_pairs(conn, threshold)
    now = utc_now()
    with _transaction(conn):
        conn.executemany(
            "INSERT INTO article_links (a, b, kind, score, linked_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(a, b, kind) DO UPDATE SET score = excluded.score",
            [(a, b, kind, score, now) for a, b, kind, score in pairs],
        )
    return pairs


def clusters(
    conn: sqlite3.Connection,
    pairs: Iterable[tuple[int, int, str, float]],
    *,
    site: str | None = None,
    cross_site_only: bool = False,
) -> list[Cluster]:
    """Group linked articles (union-find); with `site`, only clusters holding one of its
    articles; largest clusters first."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pair_list = list(pairs)
    for a, b, _kind, _score in pair_list:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    info: dict[int, dict[str, Any]] = {}
    ids = sorted(parent)
    for start in range(0, len(ids), 500):
        chunk = ids[start: start + 500]
        for row in conn.execute(
            "SELECT id, site, canonical_url, title, published_at FROM articles WHERE id IN "
            f"({','.join('?' * len(chunk))})",
            chunk,
        ):
            info[row[0]] = {"id": row[0], "site": row[1], "url": row[2], "title": row[3],
                            "published_at": row[4]}
    by_root: dict[int, list[dict[str, Any]]] = {}
    for a, b, kind, score in pair_list:
        by_root.setdefault(find(a), []).append({"a": a, "b": b, "kind": kind, "score": score})
    out: list[Cluster] = []
    for root, members in groups.items():
        arts = [info[m] for m in sorted(members) if m in info]
        cluster = Cluster(arts, by_root.get(root, []))
        if site and site not in cluster.sites:
            continue
        if cross_site_only and len(cluster.sites) < 2:
            continue
        out.append(cluster)
    out.sort(key=lambda c: (-len(c.articles), c.articles[0]["id"]))
    return out
