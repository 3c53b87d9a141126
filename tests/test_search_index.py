"""The articles' search index (archive/fts.py): the folded text stored once, snippets of the
original text, the index kept right through updates and deletes, and the migration of
archives made with the content-storing index of schema 1."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from archive import fts, schema
from archive.db import open_reader, open_writer
from archive.folding import fold
from archive.search import search
from archive.store import Archive
from luutru.web import datasette_plugin
from luutru.web.serve import SEARCH_IN_SITE_SQL

TEXTS = [
    ("Hội nghị Ban Chấp hành Đảng bộ Trường",
     "Đảng bộ Trường Chính trị tỉnh Bến Tre tổ chức hội nghị quán triệt nghị quyết."),
    ("Sinh hoạt chi bộ tháng Năm",
     "Chi bộ khoa Lý luận cơ sở sinh hoạt chuyên đề về học tập và làm theo tư tưởng."),
    ("Khai giảng lớp trung cấp lý luận chính trị",
     "Sáng nay, Trường Chính trị khai giảng lớp trung cấp hệ không tập trung khóa 62."),
    ("Hòa bình và phát triển",
     "Bài viết bàn về hoà bình, hợp tác và phát triển bền vững ở Đồng bằng sông Cửu Long."),
]
# What folding makes of a sentence of TEXTS: stored once means nowhere as text.
FOLDED_SENTENCE = "dang bo truong chinh tri tinh ben tre to chuc hoi nghi quan triet"
# The schema-1 DDL of the indexes, which stored their columns besides indexing them.
OLD_FTS_SQL = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, title_fold, text_fold,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""
OLD_ATTACHMENTS_FTS_SQL = """
CREATE VIRTUAL TABLE attachments_fts USING fts5(
    text, text_fold,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""
ATTACHED = "Quyết định cử cán bộ đi học lớp bồi dưỡng kiến thức quốc phòng và an ninh"


def record(n: int, title: str, text: str, **extra: Any) -> dict[str, Any]:
    return {"site": "bentre", "canonical_url": f"https://bentre.example.vn/bai/{n}",
            "url": f"https://bentre.example.vn/node/{n}", "title": title, "text": text,
            "published_at": f"2024-0{n % 9 + 1}-10", "content_hash": f"h{n}", **extra}


def build(path: Path, copies: int = 1) -> None:
    with Archive(path) as archive, archive.transaction():
        for k in range(copies):
            for i, (title, text) in enumerate(TEXTS):
                n = k * len(TEXTS) + i + 1
                archive.store_article(record(n, title, text, content_hash=f"h{n}"), None)


def file_bytes(path: Path) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.read_bytes()


def make_old_layout(path: Path) -> None:
    """Turn a fresh archive into one as schema 1 left it: content-storing index, version 1,
    no fold signature (built with the old DDL by a plain connection, as the old code did)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("DROP TABLE articles_fts")
    conn.execute(OLD_FTS_SQL)
    for rowid, title, text in conn.execute("SELECT id, title, text FROM articles").fetchall():
        conn.execute("INSERT INTO articles_fts (rowid, title, text, title_fold, text_fold) "
                     "VALUES (?, ?, ?, ?, ?)", (rowid, title, text, fold(title), fold(text)))
    conn.execute("DROP TABLE attachments_fts")
    conn.execute(OLD_ATTACHMENTS_FTS_SQL)
    for rowid, text in conn.execute("SELECT rowid, text FROM attachments").fetchall():
        conn.execute("INSERT INTO attachments_fts (rowid, text, text_fold) VALUES (?, ?, ?)",
                     (rowid, text, fold(text)))
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.execute("DELETE FROM meta WHERE key = 'fold_signature'")
    conn.execute("COMMIT")
    conn.close()


def results(path: Path, queries: list[str]) -> list[list[tuple[int, str, float]]]:
    conn = open_reader(path)
    try:
        return [[(h.id, h.snippet, h.score) for h in search(conn, q)] for q in queries]
    finally:
        conn.close()


def test_the_folded_text_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    build(path)
    conn = sqlite3.connect(path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
    assert "content = ''" in sql
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "articles_fts_content" not in tables and "articles_fts_docsize" in tables
    assert "attachments_fts_content" not in tables and fts.is_contentless(conn, "attachments_fts")
    assert conn.execute("SELECT title, text_fold FROM articles_fts WHERE articles_fts MATCH "
                        "'dang'").fetchall() == [(None, None)]
    conn.close()
    data = file_bytes(path)
    assert TEXTS[0][1].encode() in data  # the original, once, in `articles`
    assert FOLDED_SENTENCE.encode() not in data
    # The same archive with the schema-1 index holds the folded sentence as text.
    make_old_layout(path)
    assert FOLDED_SENTENCE.encode() in file_bytes(path)


def test_snippets_of_a_folded_query_mark_the_original_text(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    build(path)
    conn = open_reader(path)
    hits = search(conn, "dang bo truong")
    assert hits[0].id == 1
    assert "[Đảng bộ Trường]" in hits[0].snippet
    assert "[hoà bình]" in search(conn, "hoa binh")[0].snippet
    # The Datasette search (`luutru serve`): the canned query and its snippet function.
    conn.create_function("luutru_match", 1, datasette_plugin.articles_match)
    conn.create_function("luutru_snippet", 2, datasette_plugin.snippet)
    rows = conn.execute(SEARCH_IN_SITE_SQL, {"q": "cuu long", "site": ""}).fetchall()
    assert [(r[0], r[5]) for r in rows] == [
        (4, "Bài viết bàn về hoà bình, hợp tác và phát triển bền vững ở Đồng bằng sông "
            "[Cửu Long]")]
    conn.close()


def test_updates_and_deletes_keep_the_index_right(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    build(path)
    with Archive(path) as archive:
        # A new revision of article 2: its old words leave the index, the new ones enter.
        outcome, aid = archive.store_article(
            record(2, "Sinh hoạt chi bộ tháng Sáu", "Chi bộ bàn về chuyển đổi số ở cơ sở.",
                   content_hash="h2b"), None)
        assert (outcome, aid) == ("updated", 2)
        # A gone article stays archived and searchable.
        assert archive.mark_gone(3)
        # Unchanged content and a touch leave the index alone.
        assert archive.store_article(record(1, *TEXTS[0]), None)[0] == "unchanged"
        # A row deleted on the writer (no luutru command does it) leaves the index too.
        with archive.transaction():
            for table in ("article_urls", "revisions"):
                archive.conn.execute(f"DELETE FROM {table} WHERE article_id = 4")
            archive.conn.execute("DELETE FROM articles WHERE id = 4")
        assert fts.index_mismatches(archive.conn) == []
        assert archive.rebuild_fts() == 3
        assert fts.index_mismatches(archive.conn) == []
    conn = open_reader(path)
    assert [h.id for h in search(conn, "chuyen doi so")] == [2]
    assert search(conn, "hoc tap lam theo") == []
    assert [h.id for h in search(conn, "khai giang")] == [3]
    assert search(conn, "cuu long") == []
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone() == (3,)
    conn.close()


def test_index_mismatches_sees_a_stale_index(tmp_path: Path) -> None:
    """The check the tests above rely on trips: a title changed around luutru's writer
    (a plain connection has no triggers) leaves the index behind."""
    path = tmp_path / "a.db"
    build(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("UPDATE articles SET title = 'Tiêu đề khác' WHERE id = 1")
    problems = fts.index_mismatches(conn)
    conn.close()
    assert any("missing from the index: 'tieu'" in p for p in problems), problems
    assert any("index only: 'hoi'" in p for p in problems), problems


def test_an_archive_of_schema_1_migrates_and_searches_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    build(path, copies=3)
    with Archive(path) as archive, archive.transaction():  # as pipelines/attachments.py does
        archive.conn.execute(
            "INSERT INTO attachments (sha256, mime, size, path, file_name, first_seen, text) "
            "VALUES ('ab', 'application/pdf', 9, 'attachments/ab.pdf', 'qd.pdf', 'x', ?)",
            (ATTACHED,))
        archive.conn.execute(
            "INSERT INTO attachments_fts (rowid, text, text_fold) "
            "SELECT rowid, ?, ? FROM attachments WHERE sha256 = 'ab'", (ATTACHED, fold(ATTACHED)))
        archive.conn.execute("INSERT INTO article_attachments (article_id, url, sha256) "
                             "VALUES (2, 'https://bentre.example.vn/qd.pdf', 'ab')")
    make_old_layout(path)
    assert FOLDED_SENTENCE.encode() in file_bytes(path)
    assert fold(ATTACHED).encode() in file_bytes(path)
    queries = ["dang bo", "Đảng", "hoa binh", '"sinh hoat chi bo"', "truong chinh tri -khai",
               "lop*", "kien thuc quoc phong"]
    before = results(path, queries)  # a reader searches the old layout as it is
    assert all(before) and len(before[0]) == 3
    assert [hit[0] for hit in before[-1]] == [2]  # through the attached file only
    monkeypatch.setattr(fts, "PROGRESS_MIN_ARTICLES", 5)
    monkeypatch.setattr(schema, "COMPACT_MIN_BYTES", 0)
    db = open_writer(path)
    conn = db.conn
    assert fts.is_contentless(conn) and fts.is_contentless(conn, "attachments_fts")
    assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(schema.SCHEMA_VERSION),)
    assert fts.index_mismatches(conn) == []
    assert conn.execute("PRAGMA freelist_count").fetchone() == (0,)  # compacted
    # Written after the migration, through the triggers.
    later = record(99, "Hội thảo khoa học", "Hội thảo về chuyển đổi số.")
    db.close()
    err = capsys.readouterr().err
    assert "rebuilding the search index (new layout" in err
    assert "search index rebuilt: 12 articles" in err and "compacting the archive" in err
    assert results(path, queries) == before
    assert FOLDED_SENTENCE.encode() not in file_bytes(path)
    assert fold(ATTACHED).encode() not in file_bytes(path)
    with Archive(path) as archive:
        assert archive.store_article(later, None)[0] == "new"
        assert fts.index_mismatches(archive.conn) == []
    # Opening again migrates nothing.
    open_writer(path).close()
    assert "search index" not in capsys.readouterr().err


def test_a_change_of_the_folding_rules_rebuilds_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a.db"
    build(path, copies=2)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = 'another' WHERE key = 'fold_signature'")
    conn.commit()
    conn.close()
    monkeypatch.setattr(fts, "PROGRESS_MIN_ARTICLES", 1)
    with Archive(path) as archive:
        assert "(the folding rules changed)" in capsys.readouterr().err
        (signature,) = archive.conn.execute(
            "SELECT value FROM meta WHERE key = 'fold_signature'").fetchone()
        assert signature == fts.fold_signature()
        assert fts.index_mismatches(archive.conn) == []


def test_fold_maps_offsets_one_to_one() -> None:
    """Snippets map matches found in fold(text) back to the text by offset: fold gives one
    character for each character of the NFC text, for every BMP character and in text."""
    chars = [chr(i) for i in range(0x10000) if not 0xD800 <= i < 0xE000]
    assert [c for c in chars if unicodedata.is_normalized("NFC", c) and len(fold(c)) != 1] == []
    samples = [t for pair in TEXTS for t in pair] + [
        unicodedata.normalize("NFD", TEXTS[0][1]), "ĐẢNG ỦY Ðoàn ð İstanbul ﬁ Ω Å x\u0301"]
    for s in samples:
        assert len(fold(s)) == len(unicodedata.normalize("NFC", s))


def _snippet_of_every_token(text: str, terms: list[Any], words: int) -> str:
    """The snippet as computed before the window: every token of the whole text."""
    from archive.search import _TOKEN_RE, _match_spans

    text = unicodedata.normalize("NFC", text)
    folded = fold(text)
    positions = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(folded)]
    if not positions:
        return ""
    tokens = [folded[a:b] for a, b in positions]
    longest = max(len(t.tokens) for t in terms)
    first = next((i for i in range(len(tokens))
                  if any(a == 0 for a, _ in _match_spans(tokens[i : i + longest], terms))), 0)
    start = max(0, min(first - words // 3, len(tokens) - words))
    end = min(len(tokens), start + words)
    spans = [(a + start, b + start) for a, b in _match_spans(tokens[start:end], terms)]
    out, cursor = [], positions[start][0]
    for a, b in spans:
        out += [text[cursor : positions[a][0]], "[" + text[positions[a][0] : positions[b][1]] + "]"]
        cursor = positions[b][1]
    out.append(text[cursor : positions[end - 1][1]])
    snippet = " ".join("".join(out).split())
    return ("… " if start > 0 else "") + snippet + (" …" if end < len(tokens) else "")


def test_snippet_window_gives_what_the_whole_text_gives() -> None:
    """`make_snippet` splits only the text around the first match into tokens: the same
    snippet as splitting all of it, near the start, the end, long words, no match."""
    import random

    from archive.search import highlight_terms, make_snippet, parse_query

    rng = random.Random(12)
    vocab = ["Đảng", "bộ", "chi", "sinh", "hoạt", "trường", "a", "—", "...", "x" * 90, "Hòa",
             "hoà", "bình", "2024", "C-300", "\n\n", "đ", "ĐĐảng", "chibộ", "bộ_chi"]
    queries = ["dang bo", "chi", '"sinh hoat"', "hoa*", "zzz", "truong OR binh", "c-300"]
    for case in range(600):
        text = " ".join(rng.choices(vocab, k=rng.choice([0, 1, 5, 12, 40, 200])))
        query = queries[case % len(queries)]
        terms = highlight_terms(parse_query(query))
        words = rng.choice([3, 10, 30])
        assert make_snippet(text, terms, words) == _snippet_of_every_token(text, terms, words), (
            case, query, words, text)



def test_snippet_from_a_folded_head_is_the_snippet_of_the_whole_fold(monkeypatch) -> None:
    """`make_snippet` folds the first HEAD_CHARS characters first and the whole text only when
    the snippet could depend on the rest: the same snippet as folding everything, whatever
    the cut, with matches and phrases across it, long separator runs, prefixes, no match."""
    import random

    import archive.search_snippets as snippets
    from archive.search import highlight_terms, make_snippet, parse_query

    rng = random.Random(15)
    vocab = ["Đảng", "bộ", "chi", "sinh", "hoạt", "chi bộ", "a", "—", "... ,,, ;; ", "Hòa",
             "bình", "2024", "ĐĐảng", "chibộ", "hoat" * 8, "\n\n", "sinh---hoạt", "x\u0301"]
    queries = ["dang bo", "chi bo", '"sinh hoat"', "hoa*", "zzz", "chi OR binh", "bo",
               '"dang bo chi"']
    cases = [(" ".join(rng.choices(vocab, k=rng.choice([3, 12, 40, 120, 400]))),
              queries[case % len(queries)], rng.choice([3, 10, 30]),
              rng.choice([5, 40, 100, 300, 700])) for case in range(500)]
    # The snippet ends the window's tokens, and the prefix has none after it: the " …" that
    # says the text goes on comes from past the prefix.
    cases.append(("Chi bộ họp" + " ," * 300 + " cuối", "chi bo", 3, 200))
    for text, query, words, head in cases:
        monkeypatch.setattr(snippets, "HEAD_CHARS", head)
        terms = highlight_terms(parse_query(query))
        whole = make_snippet(text, terms, words, folded=fold(unicodedata.normalize("NFC", text)))
        assert make_snippet(text, terms, words) == whole, (query, words, head, text)
        assert whole == _snippet_of_every_token(text, terms, words)


def test_folded_tokens_are_in_the_folded_columns_at_the_same_place() -> None:
    """Search matches and ranks without a column filter (`ANY_COLUMN`: bm25 counts a word's
    articles 2-3x faster): right only because every token FTS5 reads in an original column,
    folded, is the token of the folded column at the same position, so a folded query token
    is in an original column only where it is in the folded one. Checked for every character
    `fold` knows (each alone between letters, as `fold_signature` lists them)."""
    chars = [chr(i) for a, b in fts._SIGNATURE_RANGES for i in range(a, b)
             if not 0xD800 <= i < 0xE000 and unicodedata.is_normalized("NFC", chr(i))]
    chars += list("ĐđẢảỦủƯưƠơẠạẶặỆệỘộỰựỸỹ")
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(o, f, tokenize = 'unicode61 "
                 "remove_diacritics 0')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    rows = [(i, s, fold(s)) for i, c in enumerate(chars) for s in [f"xa{c}bx {c}Ab{c}"]]
    conn.executemany("INSERT INTO t (rowid, o, f) VALUES (?, ?, ?)", rows)
    tokens: dict[tuple[int, str], dict[int, str]] = {}
    for term, doc, col, offset in conn.execute("SELECT term, doc, col, offset FROM v"):
        tokens.setdefault((doc, col), {})[offset] = term
    wrong = [chars[doc] for (doc, col), found in tokens.items() if col == "o"
             for offset, term in found.items()
             if tokens.get((doc, "f"), {}).get(offset) != fold(term)]
    assert wrong == [] and len(tokens) > len(chars)


def test_search_without_a_column_filter_finds_the_same_rows(tmp_path: Path) -> None:
    """The MATCH strings search runs (ANY_COLUMN) find the rows the folded columns alone
    give, for words, phrases, prefixes, OR and exclusions."""
    from archive.search import ANY_COLUMN, match_expression, parse_query

    texts = [*TEXTS, ("Dang dở", "Việc còn dang dở, ĐANG làm: Đảng ủy họp."),
             ("ﬁ Ω Å", "Ligature ﬁle, İstanbul, x\u0301 rời.")]
    with Archive(tmp_path / "a.db") as archive, archive.transaction():
        for i, (title, text) in enumerate(texts):
            archive.store_article({"site": "bentre", "canonical_url": f"https://x/{i}",
                                   "title": title, "text": text, "content_hash": f"h{i}"}, None)
    conn = open_reader(tmp_path / "a.db")
    for q in ("dang", "Đảng", "hoa binh", '"chinh tri"', "chi* bo", "dang OR hoa -uy",
              "istanbul", "fi", "x", "le", "hop tac"):
        parsed = parse_query(q)
        rows = [{r[0] for r in conn.execute("SELECT rowid FROM articles_fts WHERE "
                                            "articles_fts MATCH ?", (expr,))}
                for expr in (match_expression(parsed), match_expression(parsed, ANY_COLUMN))]
        assert rows[0] == rows[1], q
