"""Shared content model of the CMS-family replicas: school facts in, ground-truth articles out.

Every replica other than Bến Tre is built in two steps:

1. `generate(facts, seed)` writes the school's articles as a clean reader should see them
   (`Draft`: title, publication time, sections, paragraphs without the byline, author and role),
   from Vietnamese sentence pools parameterised by the school's name, province and people.
2. A markup module (`replicas.drupal8`, `replicas.nukeviet`, `replicas.joomla_k2`,
   `replicas.haiphong`) gives each draft its URL and renders it with the CMS's stock markup
   and the school's quirks, and exposes the ground truth as `site.articles` (`ReplicaArticle`).

Everything is derived from one `random.Random(seed)`, so the same arguments give the same site.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, unquote

from replicas.bentre import ACTORS, HCM_TOPICS, NEWS_SENTENCES, SOLUTIONS, SUBJECTS, TASKS

VN_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
HTML = "text/html; charset=utf-8"
WEEKDAYS_LOWER = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
WEEKDAYS_TITLE = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"})


def esc(s: str) -> str:
    """htmlspecialchars(ENT_QUOTES), as PHP templates print text."""
    return s.translate(_ESC)


@dataclass
class ReplicaArticle:
    """Ground truth for one article, as a clean archive should store it.

    `path` is the URL path the archive should keep (the canonical one); `duplicates` lists other
    paths serving the same article (a second node, savefile/print views), which must collapse
    into this one. `published` is local time; `precision` says what the page shows.
    """

    path: str
    title: str
    published: dt.datetime
    precision: str  # "day" | "minute"
    author: str
    role: str
    sections: list[str]
    paragraphs: list[str]
    traps: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """One article before markup: clean text plus what the page shows differently."""

    section: str
    title: str
    when: dt.datetime
    paragraphs: list[str]  # clean, without the byline
    author: str = ""
    role: str = ""
    kind: str = "news"  # "news" | "essay"
    caption_at: int = -1  # index of an image caption among paragraphs
    credit_at: int = -1  # index of an `Ảnh: ...` credit line among paragraphs
    title_raw: str | None = None  # the title as displayed, when it differs (entities)
    extra_sections: list[str] = field(default_factory=list)
    traps: list[str] = field(default_factory=list)
    fixed_id: int | None = None  # an id from sites.md (node/41, ...-877.html)

    @property
    def sections(self) -> list[str]:
        return [self.section, *self.extra_sections]


@dataclass
class Facts:
    """What sites.md says about one school, and what its replica generates."""

    slug: str
    school: str  # as the site names itself
    province: str
    sections: list[str]
    start: dt.date
    end: dt.date
    essayists: list[tuple[str, str]]
    reporters: list[tuple[str, str]]
    leader: str  # "đồng chí ..., Hiệu trưởng Trường"
    places: list[str]
    essay_sections: list[str] = field(default_factory=list)  # sections that hold essays
    caps_titles: float = 0.0  # share of ALL-CAPS titles
    other_schools: list[str] = field(default_factory=list)
    kind: str = "tỉnh"  # "thành phố" for Hải Phòng

    @property
    def where(self) -> str:
        return f"{self.kind} {self.province}"


# ---------------------------------------------------------------------------------------------
# Sentence pools ({truong}: a name of the school, {tinh}: the province, {y}: the year).

ESSAY_POOL = [
    "Công tác đào tạo, bồi dưỡng lý luận chính trị luôn được Đảng ta xác định là nhiệm vụ "
    "thường xuyên, có ý nghĩa chiến lược trong xây dựng đội ngũ cán bộ.",
    "Thực tiễn ở {truong} cho thấy chất lượng bài giảng phụ thuộc trước hết vào năng lực và "
    "tâm huyết của đội ngũ giảng viên.",
    "Sinh hoạt chi bộ là hình thức quan trọng để giáo dục, rèn luyện và quản lý đảng viên.",
    "Nghị quyết của Đảng chỉ thật sự đi vào cuộc sống khi được cụ thể hóa bằng chương trình, "
    "kế hoạch phù hợp với điều kiện của từng địa phương.",
    "Đảng ủy Trường đã lãnh đạo thực hiện tốt quy chế dân chủ, phát huy trí tuệ tập thể trong "
    "việc xây dựng kế hoạch năm học {y}.",
    "Người đứng đầu cấp ủy phải gương mẫu, nói đi đôi với làm, dám nghĩ, dám làm, dám chịu "
    "trách nhiệm.",
    "Học viên các lớp trung cấp lý luận chính trị phần lớn là cán bộ chủ chốt ở cơ sở, có "
    "nhiều kinh nghiệm thực tiễn.",
    "Vì vậy, phương pháp giảng dạy cần tăng cường trao đổi, thảo luận, giải quyết tình huống "
    "gắn với thực tiễn {tinh}.",
    "Trong bối cảnh các thế lực thù địch đẩy mạnh chống phá trên không gian mạng, việc bảo vệ "
    "nền tảng tư tưởng của Đảng càng trở nên cấp thiết.",
    "Mỗi giảng viên cần là một chiến sĩ trên mặt trận tư tưởng, kiên định chủ nghĩa Mác - Lênin "
    "và tư tưởng Hồ Chí Minh.",
    "Từ khi được thành lập, {truong} đã đào tạo, bồi dưỡng hàng chục nghìn lượt cán bộ cho "
    "hệ thống chính trị của {tinh}.",
    "Tuy nhiên, vẫn còn một bộ phận cán bộ, đảng viên chưa thật sự chủ động nghiên cứu, học tập "
    "lý luận.",
    "Việc ứng dụng công nghệ thông tin trong quản lý đào tạo bước đầu đã mang lại hiệu quả rõ rệt.",
    "Nghiên cứu khoa học gắn với tổng kết thực tiễn giúp giảng viên cập nhật kiến thức, làm "
    "phong phú nội dung bài giảng.",
    "Công tác dân vận phải thực hiện theo phương châm “dân biết, dân bàn, dân làm, dân kiểm tra, "
    "dân giám sát, dân thụ hưởng”.",
    "Kết quả đó góp phần quan trọng vào việc xây dựng Đảng bộ {tinh} trong sạch, vững mạnh.",
    "Đây là vấn đề vừa cơ bản, lâu dài, vừa cấp bách trước mắt.",
    "Đội ngũ cán bộ cơ sở ở {tinh} ngày càng được chuẩn hóa về trình độ lý luận chính trị.",
    "Nhà trường đã chủ động phối hợp với các Trung tâm Chính trị cấp huyện trong tổ chức các "
    "lớp hệ không tập trung.",
    "Chương trình bồi dưỡng được thiết kế theo hướng tinh gọn, thiết thực, sát với yêu cầu vị "
    "trí việc làm.",
    "Sau sắp xếp tổ chức bộ máy, yêu cầu đặt ra đối với công tác đào tạo cán bộ càng cao hơn.",
    "Phát huy truyền thống của quê hương {tinh}, đội ngũ giảng viên luôn đoàn kết, khắc phục "
    "khó khăn, hoàn thành tốt nhiệm vụ.",
]
OPENERS = ["Thứ nhất, ", "Thứ hai, ", "Thứ ba, ", "Thứ tư, "]
CLOSERS = [
    "Tóm lại, {topic} là nhiệm vụ quan trọng, đòi hỏi sự vào cuộc đồng bộ của cấp ủy, chính "
    "quyền và mỗi cán bộ, đảng viên.",
    "Thực hiện tốt các giải pháp trên sẽ góp phần nâng cao chất lượng {topic} trong thời gian tới.",
    "Với những giải pháp nêu trên, tin tưởng rằng {truong} sẽ tiếp tục hoàn thành tốt nhiệm vụ "
    "chính trị được Tỉnh ủy giao.",
]
NEWS_CLOSERS = [
    "Buổi lễ kết thúc trong không khí trang trọng, phấn khởi.",
    "Hội nghị kết thúc tốt đẹp, đạt mục đích, yêu cầu đề ra.",
    "Dự kiến khóa học sẽ kết thúc vào cuối năm {y}.",
    "Đây là hoạt động thiết thực góp phần nâng cao chất lượng đào tạo của nhà trường.",
    "Hội thảo kết thúc thành công tốt đẹp.",
]
CAPTIONS = [
    "Quang cảnh buổi lễ", "Các đại biểu dự hội nghị", "Toàn cảnh hội thảo",
    "Học viên chụp ảnh lưu niệm", "Ban Giám hiệu nhà trường tặng hoa chúc mừng",
    "Quang cảnh buổi sinh hoạt chuyên đề", "Lãnh đạo nhà trường phát biểu tại buổi lễ",
]
CLASSES = [
    "Trung cấp lý luận chính trị", "Cao cấp lý luận chính trị",
    "bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4",
    "bồi dưỡng lý luận chính trị dành cho đảng viên mới",
    "bồi dưỡng cấp ủy viên cơ sở", "bồi dưỡng ngạch chuyên viên chính",
    "bồi dưỡng nghiệp vụ công tác dân vận",
]
UNITS = ["Khoa Xây dựng Đảng", "Khoa Lý luận cơ sở", "Khoa Nhà nước và Pháp luật",
         "Khoa Dân vận", "Phòng Đào tạo", "Phòng Tổ chức - Hành chính"]


def transliterate(s: str) -> str:
    """Vietnamese letters without marks (đ -> d), case kept."""
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def ascii_slug(title: str) -> str:
    """NukeViet/Drupal-style alias: lower-case transliterated words joined by '-'."""
    return re.sub(r"[^a-z0-9]+", "-", transliterate(title).lower()).strip("-")


def vi_caps(s: str) -> str:
    return s.upper()


def _fmt(s: str, facts: Facts, rng: random.Random, y: int) -> str:
    truong = rng.choice([facts.school, "nhà trường", facts.school])
    return s.format(truong=truong, tinh=facts.where, y=y)


def _sentences(rng: random.Random, facts: Facts, k: int, y: int) -> str:
    return " ".join(_fmt(s, facts, rng, y) for s in rng.sample(ESSAY_POOL, k))


def _when_phrase(rng: random.Random, d: dt.date) -> str:
    return rng.choice([
        f"Ngày {d.day}/{d.month}/{d.year}",
        f"Sáng ngày {d.day}/{d.month}/{d.year}",
        f"Chiều ngày {d.day} tháng {d.month} năm {d.year}",
        f"Sáng {d.day}/{d.month}",
        "Vừa qua",
    ])


def _news(rng: random.Random, facts: Facts, when: dt.datetime, k: int) -> tuple[str, list[str]]:
    d, y = when.date(), when.year
    ev = _when_phrase(rng, d - dt.timedelta(days=rng.randint(0, 3)))
    place = rng.choice(facts.places)
    r = rng.randrange(8)
    if r == 0:
        c = rng.choice(CLASSES)
        title = f"Khai giảng lớp {c} khóa {k} năm {y}"
        first = (f"{ev}, {facts.school} tổ chức Lễ khai giảng lớp {c} khóa {k} với "
                 f"{rng.randint(45, 120)} học viên đến từ các sở, ngành và {place}.")
    elif r == 1:
        c = rng.choice(CLASSES)
        title = f"Bế giảng lớp {c} khóa {k} tại {place}"
        first = (f"{ev}, tại Trung tâm Chính trị {place}, {facts.school} tổ chức Lễ bế giảng "
                 f"lớp {c} khóa {k} hệ không tập trung.")
    elif r == 2:
        t = rng.choice(SOLUTIONS)
        title = f"Hội thảo khoa học về giải pháp {t} (lần {k})"
        first = (f"{ev}, {facts.school} tổ chức Hội thảo khoa học về giải pháp {t} với sự tham "
                 f"dự của các nhà khoa học, giảng viên trong và ngoài {facts.where}.")
    elif r == 3:
        u = rng.choice(UNITS)
        title = f"Chi bộ {u} sinh hoạt chuyên đề số {k} năm {y}"
        first = (f"{ev}, Chi bộ {u} tổ chức sinh hoạt chuyên đề với chủ đề "
                 f"“{rng.choice(SOLUTIONS)}”.")
    elif r == 4:
        title = f"Học viên lớp Trung cấp lý luận chính trị khóa {k} nghiên cứu thực tế tại {place}"
        first = (f"{ev}, học viên lớp Trung cấp lý luận chính trị khóa {k} của {facts.school} "
                 f"đi nghiên cứu thực tế tại {place}.")
    elif r == 5:
        other = rng.choice(facts.other_schools or ["Trường Chính trị tỉnh bạn"])
        title = f"Đoàn công tác {other} thăm và làm việc với nhà trường (đợt {k})"
        first = (f"{ev}, đoàn công tác {other} đã đến thăm và làm việc với {facts.school} về "
                 f"công tác đào tạo, bồi dưỡng cán bộ.")
    elif r == 6:
        title = f"Hội giảng giảng viên cấp trường năm {y} (vòng {k})"
        first = (f"{ev}, {facts.school} tổ chức Hội giảng giảng viên cấp trường với "
                 f"{rng.randint(8, 20)} tiết giảng của các khoa chuyên môn.")
    else:
        m = rng.choice(SUBJECTS)
        title = f"Hội nghị chuyên đề đổi mới giảng dạy {m} số {k}"
        first = (f"{ev}, {facts.school} tổ chức hội nghị chuyên đề đổi mới phương pháp giảng "
                 f"dạy {m}.")
    pool = [s.replace("{leader}", facts.leader) for s in NEWS_SENTENCES]
    body = [first]
    sizes = [rng.randint(1, 2) for _ in range(rng.randint(2, 3))]
    chosen = rng.sample(pool, sum(sizes))  # no sentence twice: a repeated paragraph is a trap
    for size in sizes:
        body.append(" ".join(chosen[:size]))
        chosen = chosen[size:]
    body.append(rng.choice(NEWS_CLOSERS).format(y=y))
    return title, body


def _essay(rng: random.Random, facts: Facts, when: dt.datetime, k: int) -> tuple[str, list[str]]:
    y = when.year
    r = rng.randrange(5)
    if r == 0:
        t = rng.choice(HCM_TOPICS)
        title, topic = (f"Vận dụng tư tưởng Hồ Chí Minh về {t} ở {facts.where} hiện nay",
                        t)
    elif r == 1:
        s = rng.choice(SOLUTIONS)
        title, topic = f"Một số giải pháp {s} tại {facts.school}", s
    elif r == 2:
        a, t = rng.choice(ACTORS), rng.choice(TASKS)
        title, topic = f"Vai trò của {a} trong {t} ở {facts.where}", t
    elif r == 3:
        m = rng.choice(SUBJECTS)
        title, topic = (f"Đổi mới phương pháp giảng dạy {m} theo hướng phát huy tính tích cực "
                        f"của học viên", "đổi mới phương pháp giảng dạy")
    else:
        title, topic = (f"Bảo vệ nền tảng tư tưởng của Đảng trong tình hình mới - nhìn từ "
                        f"{facts.where}", "bảo vệ nền tảng tư tưởng của Đảng")
    if k > 1:
        title = f"{title} (Bài {k})"
    paras = [f"{title.split(' (Bài')[0]} là vấn đề được nhiều cán bộ, giảng viên quan tâm. "
             + _sentences(rng, facts, 2, y)]
    for opener in OPENERS[: rng.randint(2, 4)]:
        body = _sentences(rng, facts, rng.randint(2, 3), y)
        paras.append(opener + body[0].lower() + body[1:])  # openers differ: never a repeat
    paras.append(rng.choice(CLOSERS).format(topic=topic, truong=facts.school))
    return title, paras


def spread(rng: random.Random, n: int, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """n distinct publication times between start and end, oldest first, office hours."""
    span = (end - start).days
    days = sorted(rng.sample(range(span + 1), min(n, span + 1)))
    return [dt.datetime.combine(start + dt.timedelta(days=d),
                                dt.time(rng.randint(7, 21), rng.randrange(60)), VN_TZ)
            for d in days]


def generate(facts: Facts, n: int, seed: int, anchors: list[Draft]) -> list[Draft]:
    """`n` articles in all (anchors from sites.md included), oldest first, titles unique."""
    rng = random.Random(f"{facts.slug}:{seed}")
    today = dt.datetime.now(VN_TZ).date()
    end = min(facts.end, today - dt.timedelta(days=2))
    drafts = list(anchors[:n])
    taken = {d.title for d in drafts}
    anchor_days = {d.when.date() for d in drafts}
    counters = {"news": 0, "essay": 0}
    news_sections = [s for s in facts.sections if s not in facts.essay_sections] or facts.sections
    for when in spread(rng, n - len(drafts) + len(anchor_days), facts.start, end):
        if len(drafts) >= n:
            break
        if when.date() in anchor_days:
            continue
        essay = bool(facts.essay_sections) and rng.random() < 0.4
        kind = "essay" if essay else "news"
        counters[kind] += 1
        maker = _essay if essay else _news
        title, paras = maker(rng, facts, when, counters[kind])
        while title in taken:
            counters[kind] += 1
            title, paras = maker(rng, facts, when, counters[kind])
        taken.add(title)
        section = rng.choice(facts.essay_sections if essay else news_sections)
        if essay:
            author, role = rng.choice(facts.essayists)
        else:
            author, role = rng.choice(facts.reporters) if rng.random() < 0.85 else ("", "")
        d = Draft(section, title, when, paras, author, role, kind)
        if not author:
            d.traps.append("no_byline")
        if not essay and rng.random() < 0.5:
            d.paragraphs.insert(1, rng.choice(CAPTIONS))
            d.caption_at = 1
        if rng.random() < facts.caps_titles:
            d.title = vi_caps(d.title)
            d.traps.append("all_caps_title")
        if rng.random() < 0.1 and len(facts.sections) > 1:
            d.extra_sections.append(rng.choice([s for s in facts.sections if s != section]))
            d.traps.append("cross_posted")
        drafts.append(d)
    drafts.sort(key=lambda d: d.when)
    return drafts


# ---------------------------------------------------------------------------------------------
# Serving helpers shared by the markup modules.


def split_target(target: str) -> tuple[str, dict[str, list[str]]]:
    """(decoded path with its leading '/', query) of a request target, as PHP sees them."""
    raw_path, _, query = target.partition("?")
    raw_path = raw_path.partition("#")[0]
    if raw_path.startswith(("http://", "https://")):
        raw_path = "/" + raw_path.split("/", 3)[3] if raw_path.count("/") >= 3 else "/"
    if not raw_path.isascii():
        try:
            raw_path = raw_path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            pass
    path = unquote(raw_path, encoding="utf-8", errors="replace")
    return unicodedata.normalize("NFC", path), parse_qs(query)


def int_param(query: dict[str, list[str]], name: str, default: int = 0) -> int:
    values = query.get(name)
    if not values:
        return default
    m = re.match(r"\s*(\d+)", values[0])
    return int(m.group(1)) if m else default


def spaces_to_nbsp(text: str) -> str:
    """Runs of spaces as editors leave them: `&nbsp;` entities, a plain space between."""
    return re.sub(r" {2,}", lambda m: "&nbsp;" * (len(m.group(0)) - 1) + " ", text)


class ReplicaSite:
    """A replica the server can route to: `route(target) -> (status, type, body, headers)`.

    Subclasses (dataclasses) carry `slug`, `name`, `sections` (name -> listing path) and
    `articles`, the ground-truth manifest.
    """

    slug: str
    name: str
    articles: list[ReplicaArticle]
    # Related-block links and a shared photo spelled the ways shared links come back into real
    # pages (`shared_spelling`, `shared_photo`), with the school's live origin (`https://www.`
    # host) for the absolute ones. Off by default: the stock links for every other test.
    link_variants: bool = False
    live_origin: str = ""

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        raise NotImplementedError

    def related_href(self, href: str, k: int, *, slash: bool = False) -> str:
        """`href` (as printed in the attribute) in a related block: itself, or with
        `link_variants` the k-th way a shared link to it comes back."""
        return shared_spelling(href, k, self.live_origin, slash=slash) if self.link_variants \
            else href

    def shared_photo(self, folder: str, k: int) -> str:
        """With `link_variants`, one photo of the school every article shows twice, its path
        spelled two of four ways (`shared_photo_src`); else nothing."""
        if not self.link_variants:
            return ""
        return "".join(f'<p style="text-align: center;"><img alt="" src="'
                       f'{shared_photo_src(folder, j, self.live_origin)}" /></p>'
                       for j in (k, k + 1))


def _query_sep(href: str) -> str:
    return "&amp;" if "?" in href else "?"


def shared_spelling(href: str, k: int, live_origin: str = "", *, slash: bool = False) -> str:
    """The k-th spelling of a link to the page `href` (a root-relative path as printed in an
    attribute) after a round trip through a share: `?utm_source=`, Facebook's `fbclid`, the
    live host (`https://www.`), Zalo's parameters, %-hex in lower case (or %-encoded where the
    CMS prints raw Unicode) or a trailing slash (for CMSs that serve one), or plain. Each one
    serves the same page as `href`."""
    sep = _query_sep(href)
    path, q, query = href.partition("?")
    shapes = (
        f"{href}{sep}utm_source=tinkhac&amp;utm_medium=related",
        f"{href}{sep}fbclid=IwAR{k:04d}zP9xVq7kL",
        (live_origin + href) if live_origin else f"{href}{sep}utm_source=facebook",
        (re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), href) if "%" in path
         else quote(path, safe="/@,;:=+$!*'()~") + q + query if not path.isascii()
         else path.rstrip("/") + "/" + q + query if slash
         else f"{href}{sep}utm_source=zalo&amp;utm_medium=zalo&amp;zarsrc=30"),
        href,
    )
    return shapes[k % len(shapes)]


def shared_photo_src(folder: str, k: int, live_origin: str = "") -> str:
    """The k-th spelling of one photo's path (a Vietnamese file name): %-encoded, raw Unicode,
    on the live host, lower-case %-hex. Every one is the same file."""
    raw = f"{folder}/ảnh-tư-liệu/hội-trường-nhà-trường.jpg"
    encoded = quote(raw)
    shapes = (encoded, raw, live_origin + encoded if live_origin else raw,
              re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded))
    return shapes[k % len(shapes)]
