"""Near duplicates across sites: a reposted article is linked, never deleted."""

from __future__ import annotations

import json
import sqlite3

from archive.neardup import PREFIX, clusters, fingerprint, link_duplicates
from archive.store import Archive
from pipelines.hashing import content_hash
from tests.conftest import run_cli

BODY = ("Sáng ngày 12/9/2025, Trường Chính trị tỉnh Đồng Tháp tổ chức Lễ kỷ niệm 70 năm Ngày thành "
        "lập trường. Buổi lễ ôn lại chặng đường 70 năm xây dựng và trưởng thành của nhà trường qua "
        "các thời kỳ cách mạng. Dịp này, nhà trường vinh dự đón nhận Bằng khen của Ủy ban nhân dân "
        "tỉnh, ghi nhận những đóng góp trong công tác đào tạo, bồi dưỡng cán bộ. ") * 3
OTHER = ("Hội nghị chuyên đề đổi mới phương pháp giảng dạy môn Triết học được tổ chức tại hội "
         "trường lớn với sự tham dự của toàn thể giảng viên các khoa chuyên môn. ") * 4


def _store(archive: Archive, site: str, url: str, title: str, text: str) -> int:
    archive.upsert_site({"slug": site, "name": site, "cms": "nukeviet", "status": "active"})
    _, art_id = archive.store_article({
        "site": site, "canonical_url": url, "url": url, "title": title, "text": text,
        "content_hash": content_hash(title, text), "fetched_at": "2025-09-13T00:00:00+00:00",
    }, None)
    return art_id


def _archive(tmp_path):
    db = tmp_path / "a.db"
    archive = Archive(db)
    title = "Trường Chính trị tỉnh Đồng Tháp kỷ niệm 70 năm thành lập"
    ids = {
        "school": _store(archive, "dong_thap", "https://a.vn/1", title, BODY),
        # The same text on the province portal: an exact duplicate across sites.
        "portal": _store(archive, "portal", "https://b.vn/x", title, BODY),
        # Reposted on the merged school's site with a credit line and a new title: near.
        "repost": _store(archive, "vinh_long", "https://c.vn/node/9", "Kỷ niệm 70 năm",
                         BODY + "\n\nTheo Trường Chính trị tỉnh Đồng Tháp"),
        "other": _store(archive, "vinh_long", "https://c.vn/node/10", "Hội nghị", OTHER),
    }
    archive.close()
    return db, ids


def test_fingerprint_is_stable_and_folded():
    assert fingerprint(BODY).startswith(PREFIX)
    assert fingerprint(BODY) == fingerprint(BODY)
    assert fingerprint("Đảng ủy Trường") == fingerprint("dang uy truong")


def test_reposts_are_linked_never_deleted(tmp_path):
    db, ids = _archive(tmp_path)
    conn = sqlite3.connect(db, isolation_level=None)
    pairs = link_duplicates(conn, 0.8)
    links = {(a, b): (kind, score) for a, b, kind, score in conn.execute(
        "SELECT a, b, kind, score FROM article_links")}
    school, portal, repost = ids["school"], ids["portal"], ids["repost"]
    assert links[(school, portal)] == ("exact", 1.0)
    near = links[(min(school, repost), max(school, repost))]
    assert near[0] == "near" and 0.8 <= near[1] < 1.0
    assert not any(ids["other"] in key for key in links)
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
    missing = "SELECT count(*) FROM articles WHERE fingerprint IS NULL"
    assert conn.execute(missing).fetchone()[0] == 0
    found = clusters(conn, pairs)
    assert len(found) == 1 and found[0].sites == ["dong_thap", "portal", "vinh_long"]
    assert clusters(conn, pairs, site="portal") and not clusters(conn, pairs, site="nowhere")
    # Idempotent: a second pass adds nothing.
    link_duplicates(conn, 0.8)
    assert conn.execute("SELECT count(*) FROM article_links").fetchone()[0] == len(links)
    conn.close()


def test_duplicates_command(tmp_path):
    db, _ids = _archive(tmp_path)
    out = json.loads(run_cli("duplicates", "--db", str(db), "--json").stdout)
    assert len(out) == 1 and out[0]["size"] == 3
    assert {p["kind"] for p in out[0]["pairs"]} == {"exact", "near"}
    text = run_cli("duplicates", "--db", str(db), "--site", "vinh_long").stdout
    assert "3 articles on dong_thap, portal, vinh_long" in text
    assert "no duplicates" in run_cli("duplicates", "--db", str(db), "--site", "x").stdout


def test_batched_minhash_equals_one_update_per_shingle():
    """`minhash` feeds all shingles in one batch: every hash value must equal the per-shingle
    form's, or stored fingerprints would stop matching recomputed ones."""
    import numpy as np
    from datasketch import MinHash

    from archive.neardup import NUM_PERM, minhash, shingles

    texts = [BODY, OTHER, "Bế giảng lớp Trung cấp lý luận chính trị", "Đảng", "",
             "Tin tức — sự kiện: Hội thảo khoa học cấp tỉnh năm 2024 " * 20]
    for text in texts:
        one_by_one = MinHash(num_perm=NUM_PERM, scheme="affine32")  # a fresh, unshared one
        for s in shingles(text):
            one_by_one.update(s.encode("utf-8"))
        batched = minhash(text)
        assert np.array_equal(batched.hashvalues, one_by_one.hashvalues), text[:40]
        assert batched.hashvalues.dtype == one_by_one.hashvalues.dtype
    assert not np.array_equal(minhash(BODY).hashvalues, minhash(OTHER).hashvalues)
