"""Search benchmark: build time, size and query latency on N generated Vietnamese articles.

Reports the index build time, the database size with and without the folded index, and the
median/p95 latency (and median/p95 CPU time) of each kind of query beside a plain LIKE scan, in
the same run.

    .venv/bin/python benchmarks/search.py                 # 100,000 articles (~3 min, ~1.2 GB)
    .venv/bin/python benchmarks/search.py --articles 5000 --keep /tmp/bench.db

Results go in docs/benchmarks.md ("## Search").
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.db import open_reader
from archive.search import exact_expression, match_expression, parse_query, search
from archive.store import Archive

# Function words: the most frequent, in nearly every article.
FUNCTION_WORDS = """
của và các là trong được cho với có những đã này một không để về từ theo khi cũng như đến
tại ra năm người
""".split()
# Words of the schools' own prose, placed from rank ~25 (in ~90 % of articles) to ~3,000
# (~1.5 %) of a Zipf vocabulary of real-looking syllables, so queries meet realistic counts.
DOMAIN_WORDS = """
đảng học viên trường chính trị công tác cán bộ đào tạo bồi dưỡng lớp giảng tỉnh hội nghị
tổ chức nhiệm vụ chi sinh hoạt nghị quyết thực hiện phát triển kinh tế xã lãnh đạo chỉ ban
giám hiệu khoa nghiên cứu đề tài giáo dục lý luận tư tưởng hồ minh tập làm đức phong cách
chương trình trung cấp cao quản nhà nước đoàn thanh niên phụ nữ cựu chiến binh mặt trận
quốc ủy dân đồng thường bí thư phó phòng tổng kết sơ triển khai quán kế hoạch phương hướng
giảng bế nghiệp trao bằng khen thưởng thi đua yêu gương điển hình tiên tiến hòa bình thủy
lợi nông thôn mới chuyển đổi số cải hành xây dựng chỉnh đốn đất biển đảo chủ quyền an ninh
phòng văn hóa truyền thống lịch sử đại biểu nhiệm kỳ bầu cử chấp kiểm tra giám sát kỷ luật
tham nhũng lãng phí tiêu cực cơ sở vận động quần chúng tuyên báo viên hội thảo tọa đàm
chuyên giáo tài liệu thư viện hợp tác du lịch bến tre khởi dừa sông miền tây cửu long vĩnh
vinh giang ngoại thể thao nghệ tình nguyện hiến máu từ thiện uống nhớ nguồn tri ân thương
liệt sĩ mẹ việt nam anh hùng niệm ngày thành lập
""".split()
PHRASES = ["sinh hoạt chi bộ", "trường chính trị", "học tập và làm theo", "nông thôn mới",
           "cải cách hành chính", "nghị quyết đại hội", "đảng ủy khối", "chuyển đổi số",
           "bồi dưỡng lý luận chính trị", "đồng khởi bến tre", "xây dựng chỉnh đốn đảng",
           "tư tưởng hồ chí minh"]
_ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gi", "h", "k", "kh", "l", "m", "n", "ng", "nh",
           "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
_RHYMES = ["a", "ai", "an", "ang", "anh", "ao", "au", "ay", "ăn", "ăng", "âm", "ân", "âu", "ây",
           "e", "em", "en", "eo", "ê", "ên", "ênh", "i", "im", "in", "inh", "iêu", "iên", "o",
           "oa", "oan", "oang", "oi", "om", "on", "ong", "ô", "ôi", "ông", "ơ", "ơi", "ơn", "u",
           "ui", "um", "un", "ung", "uyên", "ư", "ưa", "ưng", "ươi", "ương", "ươn"]
_TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]
VOCABULARY_SIZE = 8000


def vocabulary(rng: random.Random) -> list[str]:
    """Words in Zipf rank order: function words, then syllables with the domain words placed
    geometrically between ranks 25 and 3,000."""
    import unicodedata

    syllables = set()
    for onset in _ONSETS:
        for rhyme in _RHYMES:
            for tone in _TONES:
                vowels = [i for i, ch in enumerate(rhyme) if ch in "aăâeêioôơuưy"]
                marked = [i for i in vowels if rhyme[i] in "ăâêôơư"]
                at = marked[-1] if marked else vowels[0]
                syllables.add(unicodedata.normalize(
                    "NFC", onset + rhyme[: at + 1] + tone + rhyme[at + 1 :]))
    reserved = set(FUNCTION_WORDS) | set(DOMAIN_WORDS)
    filler = sorted(syllables - reserved)
    rng.shuffle(filler)
    filler = filler[: VOCABULARY_SIZE - len(reserved)]
    ranked = list(FUNCTION_WORDS)
    slots = {len(FUNCTION_WORDS) + int((3000 / 1) ** (i / (len(DOMAIN_WORDS) - 1))) + i: w
             for i, w in enumerate(DOMAIN_WORDS)}
    while filler or slots:
        word = slots.pop(len(ranked), None)
        if word is None:
            if not filler:
                word = slots.pop(min(slots))
            else:
                word = filler.pop()
        ranked.append(word)
    return ranked


TITLE_TEMPLATES = [
    "Hội nghị {a} {b} năm {y}",
    "Trường Chính trị tổ chức {a} {b}",
    "Khai giảng lớp {a} {b} khóa {n}",
    "Đảng ủy Trường {a} {b}",
    "Sinh hoạt chi bộ chuyên đề {a} {b}",
    "Nghị quyết về {a} {b} giai đoạn {y}",
    "Tọa đàm {a} {b}",
    "Bế giảng lớp {a} {b}",
]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thị Dung", "ThS. Võ Minh Đức",
         "TS. Huỳnh Thanh Hòa", "Đặng Quốc Huy", "Bùi Thị Lan", "Đỗ Văn Phương", "Ngô Thị Thủy"]
CATEGORIES = ["Tin tức", "Nghiên cứu - Trao đổi", "Đào tạo", "Hoạt động đoàn thể", "Thông báo",
              "Văn bản", "Gương điển hình"]
SITES = ["bentre", "vinhlong", "travinh", "angiang", "cantho", "longan", "tiengiang", "dongthap",
         "camau", "soctrang"]

# (label, queries, search options): each kind is timed over its queries in turn.
KINDS: list[tuple[str, list[str], dict]] = [
    ("very common word (Đảng)", ["Đảng", "đảng", "Đảng viên"], {}),
    ("word (with diacritics)", ["giáo dục", "kinh tế", "thủy lợi", "biển",
                                "hội thảo"], {}),
    ("folded word", ["giao duc", "kinh te", "thuy loi", "bien", "hoi thao"], {}),
    ("rare folded word", ["hien mau", "toa dam", "du lich", "cuu long", "liet si"],
     {}),
    ("phrase", ['"sinh hoat chi bo"', '"truong chinh tri"', '"hoc tap va lam theo"',
                '"nong thon moi"', '"cai cach hanh chinh"'], {}),
    ("several words, no quotes", ["hoc tap va lam theo", "học tập và làm theo",
                                  "giao duc dao tao", "sinh hoat chi bo",
                                  "cai cach hanh chinh"], {}),
    ("exact diacritics (--exact)", ["giáo dục", "Đảng", "thủy lợi", "học tập và làm theo"],
     {"exact": True}),
    ("filtered (site + years)", ["dang", "giao duc", "kinh te", "thuy loi"],
     {"site": "bentre", "since": "2016", "until": "2020"}),
    ("narrow filter (site + one month)", ["dang", "giao duc", "kinh te", "thuy loi"],
     {"site": "bentre", "since": "2023-05", "until": "2023-05"}),
    ("author filter", ["dang", "giao duc", "kinh te", "thuy loi"],
     {"author": "nguyen van an"}),
    ("folded word, sort by date", ["giao duc", "kinh te", "thuy loi"],
     {"sort": "date"}),
]


RUNS = 40  # timed executions per query kind (over a rotating set of queries)


def generate(n: int, seed: int = 7):
    """Yield n article records: ~350 words of Zipf-drawn vocabulary in 4-6 paragraphs."""
    rng = random.Random(seed)
    words_by_rank = vocabulary(rng)
    cum_weights = list(itertools.accumulate(1 / (r + 1) for r in range(len(words_by_rank))))
    for i in range(n):
        words = rng.choices(words_by_rank, cum_weights=cum_weights, k=rng.randint(250, 450))
        for phrase in rng.sample(PHRASES, rng.randint(0, 2)):
            at = rng.randrange(len(words))
            words[at:at] = phrase.split()
        paragraphs, k = [], 0
        while k < len(words):
            step = rng.randint(50, 110)
            chunk = words[k : k + step]
            paragraphs.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
            k += step
        year = rng.randint(2005, 2025)
        a, b = rng.sample(DOMAIN_WORDS, 2)
        title = rng.choice(TITLE_TEMPLATES).format(a=a, b=b, y=year, n=rng.randint(1, 60))
        site = SITES[i % len(SITES)]
        yield {
            "site": site,
            "canonical_url": f"https://{site}.example.vn/bai-viet/{i}",
            "url": f"https://{site}.example.vn/node/{i}",
            "title": title,
            "text": "\n\n".join(paragraphs),
            "author": rng.choice(NAMES) if rng.random() < 0.6 else None,
            "categories": rng.sample(CATEGORIES, rng.randint(1, 2)),
            "published_at": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "published_precision": "day",
            "published_source": "listing",
            "content_hash": f"{i:012d}",
            "fetched_at": "2025-01-01T00:00:00+00:00",
        }


def file_size(path: Path) -> int:
    return sum(os.path.getsize(p) for p in (f"{path}", f"{path}-wal") if os.path.exists(p))


def size_without_fold(path: Path, work: Path) -> tuple[int, int]:
    """Sizes (bytes) of a vacuumed copy with an FTS index of the original columns only, and
    of one with no full-text index at all."""
    copy = work / "nofold.db"
    conn = sqlite3.connect(path)
    conn.execute(f"VACUUM INTO '{copy}'")
    conn.close()
    conn = sqlite3.connect(copy)
    conn.execute("DROP TABLE articles_fts")
    conn.execute("DROP TABLE attachments_fts")
    conn.execute("VACUUM")
    no_fts = os.path.getsize(copy)
    conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, "
                 "tokenize='unicode61 remove_diacritics 2')")
    conn.execute("INSERT INTO articles_fts (rowid, title, text) SELECT id, title, text "
                 "FROM articles")
    conn.commit()
    conn.execute("VACUUM")
    conn.close()
    plain = os.path.getsize(copy)
    copy.unlink()
    return plain, no_fts


def timed(fn, queries: list, runs: int = RUNS) -> tuple[float, float, float, float]:
    """Median and p95 latency in ms over `runs` executions cycling through `queries`, and the
    median and p95 CPU time (what a loaded machine inflates least). Each query runs once untimed
    first: the archive is larger than the page cache this machine keeps, and the first read
    of its pages measures the disk, not the query."""
    for q in queries:
        fn(q)
    times, cpu = [], []
    for k in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn(queries[k % len(queries)])
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(times), _p95(times), statistics.median(cpu), _p95(cpu)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="Keep the generated archive at this path.")
    parser.add_argument("--reuse", action="store_true",
                        help="With --keep: time the queries on an archive kept earlier.")
    args = parser.parse_args()
    if args.reuse and not (args.keep and args.keep.exists()):
        parser.error("--reuse needs --keep FILE of an earlier run")

    with tempfile.TemporaryDirectory(prefix="luutru-bench-") as tmp:
        work = Path(tmp)
        db = args.keep or work / "bench.db"
        print(f"luutru search benchmark: {args.articles:,} articles, "
              f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
              f"{os.cpu_count()} CPUs")
        if not args.reuse:
            build(db, work, args)
        else:
            with Archive(db):  # a writer brings a kept archive to this schema (new indexes)
                pass
        time_queries(db)


def build(db: Path, work: Path, args: argparse.Namespace) -> None:
    """Generate the archive, timing the inserts and a full index rebuild; print the sizes."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t0 = time.perf_counter()
    with Archive(db) as archive:
        batch: list[dict] = []
        for record in generate(args.articles):
            batch.append(record)
            if len(batch) >= args.batch:
                with archive.transaction():
                    for r in batch:
                        archive.store_article(r, None)
                batch.clear()
        if batch:
            with archive.transaction():
                for r in batch:
                    archive.store_article(r, None)
        insert_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        archive.rebuild_fts()
        rebuild_s = time.perf_counter() - t1
        archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = file_size(db)
    print(f"insert with FTS (batches of {args.batch}): {insert_s:.1f} s "
          f"({args.articles / insert_s:,.0f} articles/s)")
    print(f"full index rebuild (title, text, title_fold, text_fold): {rebuild_s:.1f} s")
    plain, no_fts = size_without_fold(db, work)
    print(f"database size: {size / 1e6:,.0f} MB with the index of title, text and their "
          f"folded forms; {plain / 1e6:,.0f} MB with a content-storing index of the original "
          f"columns only; {no_fts / 1e6:,.0f} MB without full-text index")


def time_queries(db: Path) -> None:
    """Median and p95 latency of each query kind, with how many articles its first query
    matches, beside a LIKE scan."""
    conn = open_reader(db, time_limit=None)
    kinds = KINDS
    stores = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'articles_fts_content'"
                          ).fetchone()[0]
    print(f"archive: {file_size(db) / 1e6:,.0f} MB; the index stores "
          + ("its own copy of the text (schema 1)" if stores else
             "no text (contentless): the folded text is kept once, in the index"))
    print()
    print(f"{'query (top 20 with snippets)':<34} {'median ms':>10} {'p95 ms':>8} "
          f"{'cpu ms':>7} {'cpu p95':>8} {'matches of 1st':>15}")
    for label, queries, filters in kinds:
        def run(q, filters=filters):
            return search(conn, q, limit=20, **filters)

        med, p95, cpu, cpu95 = timed(run, queries)
        parsed = parse_query(queries[0])
        expr = (exact_expression(parsed, force=True) if filters.get("exact")
                else match_expression(parsed))
        (hits,) = conn.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (expr,)).fetchone()
        print(f"{label:<34} {med:>10.1f} {p95:>8.1f} {cpu:>7.1f} {cpu95:>8.1f} {hits:>15,}")

    def like(q):
        return conn.execute(
            "SELECT id, title FROM articles WHERE title LIKE ?1 OR text LIKE ?1 "
            "ORDER BY published_at DESC LIMIT 20", (f"%{q}%",)).fetchall()

    med, p95, cpu, cpu95 = timed(like, ["Đảng", "giáo dục", "kinh tế", "thủy lợi"], runs=8)
    print(f"{'plain LIKE scan (no folding)':<34} {med:>10.1f} {p95:>8.1f} {cpu:>7.1f} "
          f"{cpu95:>8.1f}")
    conn.close()


if __name__ == "__main__":
    main()
