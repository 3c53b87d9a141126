"""Content model and generator of the Bến Tre replica (truongchinhtribentre.edu.vn, Drupal 7).

`build_site()` returns a `Site`: the ground-truth manifest (`Site.articles`) plus what the
renderer needs (`Site.nodes`, listings, "Tin khác" blocks). Everything is derived from one
`random.Random(seed)`, so the same arguments always give the same site.

The manifest holds what a clean reader wants (NFC, single spaces, no byline in `paragraphs`);
`NodeData` holds what the pages show (U+00D0, soft hyphens, NFD, double spaces, initials with a
leading space ...). Each deliberate difference is named in `ReplicaArticle.traps`.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field

SITE_NAME = "Trường Chính trị tỉnh Bến Tre"
NEWS = "Tin tức - Sự kiện"
FORUM = "Thông tin trao đổi"
SECTIONS: dict[str, str] = {
    NEWS: "/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien",
    FORUM: "/thông-tin-trao-đổi/thông-tin-trao-đổi",
}
# Taxonomy term ids of the two sections (the listings also answer at /taxonomy/term/<tid>).
SECTION_TIDS: dict[str, int] = {NEWS: 1, FORUM: 12}
HOST_ALIASES: tuple[str, ...] = (
    "http://truongchinhtribentre.edu.vn",
    "https://truongchinhtribentre.edu.vn",
    "http://www.truongchinhtribentre.edu.vn",
    "https://www.truongchinhtribentre.edu.vn",
)
PAGE_SIZE = 10
ALIAS_MAX = 100
VN_TZ = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")

TRAPS = (
    "eth", "all_caps_title", "curly_quotes_alias", "en_dash_alias", "typo_title", "nbsp_lines",
    "double_spaces", "zero_width", "initials_byline", "cross_posted", "node_link",
    "body_date_conflict", "nfd_text", "one_char_teaser", "no_byline",
)


@dataclass
class ReplicaArticle:
    """Ground truth for one article node, as a clean archive should store it."""

    nid: int
    path: str
    title: str
    published: dt.date
    author: str
    role: str
    sections: list[str]
    paragraphs: list[str]
    byline_position: str  # "top" | "end" | "fields"
    traps: list[str] = field(default_factory=list)


@dataclass
class NodeData:
    """What the site renders for a node: raw strings, traps included."""

    nid: int
    path: str
    kind: str  # "article" | "page"
    title: str  # as displayed (may hold U+00D0)
    created: dt.datetime
    sections: list[str]
    blocks: list[tuple[str, str]]  # body blocks: (kind, raw text); kinds below
    row_author: str = ""  # listing field values as shown (" P.H")
    row_role: str = ""
    byline_position: str = "end"
    teaser: str = ""
    nfd: bool = False
    justify: bool = True
    # A byline typed into a long-text node field (`<p>Name<br />Role</p>`), rendered as
    # field_tac_gia instead of in the body (editor variants only).
    byline_field_html: str = ""


# Body block kinds: "p" paragraph, "nbsp" a paragraph of &nbsp; only, "img" an image (text = src),
# "caption" an image caption, "by_name"/"by_role" right-aligned byline lines (text may start
# with runs of spaces), "summary" a "Tóm tắt:" paragraph (rendered in italics).


@dataclass(frozen=True)
class Variant:
    """How a Drupal 7 build of the site renders listings and bylines (replicas/drupal7_variants).

    listing: a Views display style ("unformatted", "list", "grid", "table") or core's taxonomy
    term page of node teasers ("teaser"). bylines: "classic" (right-aligned bold name paragraph
    and role paragraph) or "editors" (the mixed shapes editors type in CKEditor). row_byline:
    the Views row shows name and role as two fields ("fields"), as one `Name<br />Role` field
    ("one_field"), or not at all ("none"). listing "views_teaser": Views rows rendered as
    node teasers (row plugin "node").
    """

    name: str = "default"
    listing: str = "unformatted"
    bylines: str = "classic"
    row_byline: str = "fields"
    pager: str = "full"  # theme_pager(), or Views' mini pager ("mini")
    account_field: bool = False  # rows show the posting account (`views-field-name`)
    field_label: str = "above"  # theme_field() label of the node's "Tác giả" field


@dataclass
class Site:
    articles: list[ReplicaArticle]
    sections: dict[str, str]
    page_size: int
    host_aliases: tuple[str, ...]
    nodes: dict[int, NodeData]
    listings: dict[str, list[int]]  # section -> nids, newest first
    related: dict[int, list[tuple[int, bool]]]  # nid -> [(nid, linked as /node/N)]
    static_pages: list[int]
    name: str = SITE_NAME
    seed: int = 7
    variant: Variant = field(default_factory=Variant)
    by_path: dict[str, int] = field(default_factory=dict)
    by_path_folded: dict[str, int] = field(default_factory=dict)
    # "Tin khác" links spelled many ways, as shared links come back into real blocks
    # (?utm_source=tinkhac, &fbclid=, /node/N, a host alias, raw Unicode, lower-case %-hex).
    link_variants: bool = False

    def article(self, nid: int) -> ReplicaArticle | None:
        for art in self.articles:
            if art.nid == nid:
                return art
        return None

    def lookup(self, path: str) -> int | None:
        """nid of a decoded path without slashes at either end (MySQL-like case-insensitive)."""
        nid = self.by_path.get(path)
        if nid is None:
            nid = self.by_path_folded.get(path.lower())
        return nid


# ---------------------------------------------------------------------------------------------
# Aliases (pathauto, Drupal 7): Unicode with transliteration off, or transliterated ASCII.

_ALIAS_DROP = re.compile(r"[!\"#$%&'()*+./:;<=>?@\[\\\]^_`{|}~]")
_ALIAS_SEP = re.compile(r"[\s\-]+")
_NON_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_TRANSLIT = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ð": "d"})


def unicode_slug(title: str) -> str:
    """Pathauto with transliteration off: lower-case words joined by '-', “ ” – , kept."""
    s = _ALIAS_DROP.sub("", title.lower())
    return _ALIAS_SEP.sub("-", s).strip("-")


def ascii_slug(title: str) -> str:
    s = unicodedata.normalize("NFD", title.translate(_TRANSLIT))
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return _NON_ASCII_WORD.sub("-", s).strip("-")


def truncate_wordsafe(alias: str, limit: int) -> str:
    """Longest prefix of at most `limit` characters followed by a '-' (Drupal truncate_utf8)."""
    if len(alias) <= limit:
        return alias
    if alias[limit] == "-":
        return alias[:limit]
    cut = alias.rfind("-", 0, limit)
    return alias[:cut] if cut > limit // 2 else alias[:limit]


def make_alias(title: str, scheme: str, taken: set[str]) -> str:
    """The alias path (raw Unicode, leading '/'), unique among `taken` (pathauto's -0, -1...)."""
    prefix = {"content": "content/", "root": "", "noi-dung": "noi-dung/"}[scheme]
    slug = unicode_slug(title) if scheme == "content" else ascii_slug(title)
    alias = truncate_wordsafe(prefix + slug, ALIAS_MAX)
    base, i = alias, 0
    while alias.lower() in taken:
        suffix = f"-{i}"
        alias = truncate_wordsafe(base, ALIAS_MAX - len(suffix)) + suffix
        i += 1
    taken.add(alias.lower())
    return "/" + alias


# ---------------------------------------------------------------------------------------------
# Vocabulary for the generated Vietnamese text.

PROVINCES = ["Vĩnh Long", "Trà Vinh", "Tiền Giang", "Đồng Tháp", "An Giang", "Sóc Trăng",
             "Cà Mau", "Long An", "Hậu Giang", "Bạc Liêu", "Kiên Giang", "Cần Thơ"]
DISTRICTS = ["huyện Châu Thành", "huyện Giồng Trôm", "huyện Mỏ Cày Nam", "huyện Mỏ Cày Bắc",
             "huyện Ba Tri", "huyện Bình Đại", "huyện Thạnh Phú", "huyện Chợ Lách",
             "thành phố Bến Tre"]
UNITS = ["Khoa Xây dựng Đảng", "Khoa Lý luận cơ sở", "Khoa Nhà nước và Pháp luật", "Khoa Dân vận",
         "Phòng Đào tạo", "Phòng Tổ chức - Hành chính", "Phòng Quản lý khoa học"]
CLASSES = ["Trung cấp lý luận chính trị - hành chính", "Cao cấp lý luận chính trị",
           "bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4",
           "bồi dưỡng lý luận chính trị dành cho đảng viên mới",
           "bồi dưỡng nghiệp vụ công tác dân vận", "bồi dưỡng cấp ủy viên cơ sở",
           "bồi dưỡng bí thư chi bộ và cấp ủy viên cơ sở", "bồi dưỡng ngạch chuyên viên chính"]
RESEARCH = [
    "Nâng cao chất lượng sinh hoạt chi bộ ở các đảng bộ xã trên địa bàn tỉnh Bến Tre",
    "Giải pháp nâng cao chất lượng giảng dạy lý luận chính trị tại Trường Chính trị tỉnh Bến Tre",
    "Phát huy giá trị phong trào Đồng Khởi trong giáo dục truyền thống cho cán bộ, đảng viên",
    "Vai trò của Mặt trận Tổ quốc trong xây dựng nông thôn mới ở Bến Tre",
    "Công tác dân vận của chính quyền cấp xã trong giai đoạn hiện nay",
    "Đổi mới phương pháp đánh giá kết quả học tập của học viên hệ trung cấp lý luận chính trị",
    "Lịch sử Trường Đảng Trần Trường Sinh giai đoạn 1947 - 1975",
    "Ứng dụng công nghệ thông tin trong giảng dạy tại Trường Chính trị",
    "Thực hiện quy chế dân chủ ở cơ sở trên địa bàn tỉnh Bến Tre",
    "Bảo vệ nền tảng tư tưởng của Đảng trên không gian mạng",
    "Nâng cao chất lượng đội ngũ giảng viên kiêm chức ở Trung tâm Chính trị cấp huyện",
    "Phát triển kinh tế tập thể trong nông nghiệp tỉnh Bến Tre",
    "Công tác phát triển đảng viên trong các doanh nghiệp ngoài khu vực nhà nước",
]
SUBJECTS = ["môn Triết học Mác - Lênin", "môn Kinh tế chính trị", "chuyên đề Xây dựng Đảng",
            "phần Nhà nước và pháp luật", "môn Lịch sử Đảng Cộng sản Việt Nam",
            "phần Kỹ năng lãnh đạo, quản lý", "môn Tư tưởng Hồ Chí Minh"]
HCM_TOPICS = ["công tác cán bộ", "đạo đức cách mạng", "công tác dân vận", "xây dựng Đảng",
              "giáo dục lý luận chính trị", "đại đoàn kết dân tộc", "phong cách làm việc"]
HCM_CONTEXT = ["giai đoạn hiện nay", "công tác giảng dạy tại Trường Chính trị",
               "xây dựng chính quyền cơ sở ở Bến Tre", "đào tạo, bồi dưỡng cán bộ"]
ACTORS = ["đội ngũ bí thư chi bộ", "người đứng đầu cấp ủy", "Mặt trận Tổ quốc",
          "đoàn viên thanh niên", "cán bộ dân vận", "hội viên phụ nữ", "cựu chiến binh"]
TASKS = ["xây dựng nông thôn mới", "giữ gìn an ninh trật tự", "phát triển kinh tế - xã hội",
         "thực hiện quy chế dân chủ ở cơ sở", "chuyển đổi số", "ứng phó với hạn mặn"]
SOLUTIONS = ["nâng cao chất lượng sinh hoạt chi bộ", "nâng cao chất lượng đào tạo, bồi dưỡng",
             "đổi mới công tác kiểm tra, giám sát của Đảng",
             "phát huy vai trò nêu gương của cán bộ, đảng viên",
             "nâng cao hiệu quả nghiên cứu khoa học của giảng viên",
             "xây dựng đội ngũ giảng viên đạt chuẩn", "thực hiện tốt công tác dân vận"]
PLACES_SINH_HOAT = ["ở các đảng bộ xã", "trong các cơ quan hành chính", "ở nông thôn tỉnh Bến Tre",
                    "trong các đơn vị sự nghiệp công lập", "ở khu phố, ấp"]
DONG_KHOI = ["bài học về phát huy sức mạnh nhân dân", "giá trị lịch sử và ý nghĩa thời đại",
             "nguồn cảm hứng cho công cuộc đổi mới", "bản hùng ca của quê hương Bến Tre"]
SAFEGUARD = ["trong tình hình mới", "trên không gian mạng", "qua bài giảng lý luận chính trị",
             "từ thực tiễn tỉnh Bến Tre"]
ROMAN = ["I", "II", "III", "IV"]

# Authors of "Thông tin trao đổi" essays (name line, role line), and their years on the staff.
ESSAYISTS = [
    ("Đ/c Cao Dũng", "Hiệu trưởng Trường Chính trị", 2020, 2024),
    ("TS. Nguyễn Trúc Hạnh", "Hiệu trưởng", 2015, 2020),
    ("ThS. Dương Quốc Hoàng", "Phó Hiệu trưởng", 2016, 2024),
    ("ThS. Dương Văn Chăm", "Phó Hiệu trưởng", 2012, 2021),
    ("ThS. Nguyễn Thành Phương", "Trưởng khoa Lý luận cơ sở", 2012, 2024),
    ("ThS. Phan Văn Thuận", "Trưởng Khoa Xây dựng Đảng", 2012, 2024),
    ("ThS. Nguyễn Thị Nga", "Phó Trưởng khoa Xây dựng Đảng", 2014, 2024),
    ("Nguyễn Thị Hiền", "Trưởng Phòng Đào tạo", 2012, 2024),
    ("ThS. Nguyễn Thị Ngọc Thương", "Giảng viên Khoa NN&PL", 2016, 2024),
    ("CN. Hồ Thị Thùy Dung", "Giảng viên tập sự Khoa Lý luận cơ sở", 2020, 2024),
    ("CN. Trương Thị Bích Tuyền", "Viên chức Khoa xây dựng Đảng", 2019, 2024),
    ("ThS. Trần Thị Kim Loan", "Giảng viên Khoa Nhà nước và Pháp luật", 2012, 2024),
    ("ThS. Võ Minh Trí", "Phó Trưởng khoa Lý luận cơ sở", 2012, 2024),
    ("CN. Huỳnh Ngọc Hân", "Giảng viên Khoa Dân vận", 2014, 2024),
]
# Authors of news items (byline at the end).
REPORTERS = [
    ("Nguyễn Thị Nguyên", "Phòng QLĐT và NCKH"),
    ("Nguyễn Thị Yến", "Trưởng khoa Dân vận"),
    ("Lê Thị Mỹ Linh", "Phòng Tổ chức - Hành chính"),
    ("Phạm Văn Hùng", "Văn phòng Đảng ủy"),
    ("Võ Thanh Tâm", "Phòng QLĐT và NCKH"),
    ("Trần Văn Bé", "Khoa Lý luận cơ sở"),
]


def leader(year: int) -> str:
    if year >= 2021:
        return ("đồng chí Cao Văn Dũng, Tỉnh ủy viên, Trưởng Ban Tuyên giáo Tỉnh ủy, "
                "Hiệu trưởng Trường Chính trị")
    if year >= 2015:
        return "đồng chí Nguyễn Trúc Hạnh, Bí thư Đảng ủy, Hiệu trưởng Trường Chính trị"
    return "đồng chí Đỗ Nam Phong, Bí thư Đảng ủy Trường Chính trị"


def congress(year: int) -> str:
    return "XIII" if year >= 2021 else "XII" if year >= 2016 else "XI"


def date_phrase(rng: random.Random, d: dt.date, capital: bool = True) -> str:
    forms = [
        f"Ngày {d.day} tháng {d.month} năm {d.year}",
        f"Sáng ngày {d.day}/{d.month}/{d.year}",
        f"Chiều ngày {d.day} tháng {d.month} năm {d.year}",
        f"Sáng {d.day}/{d.month}/{d.year}",
        f"Vào ngày {d.day:02d} tháng {d.month:02d} năm {d.year}",
        f"Ngày {d.day}-{d.month}-{d.year}",
        f"Ngày {d.day:02d}/{d.month:02d}/{d.year}",
    ]
    s = rng.choice(forms)
    return s if capital else s[0].lower() + s[1:]


# Sentences for essays: {y} the publication year, {truong} a name of the school.
ESSAY_SENTENCES = [
    "Công tác đào tạo, bồi dưỡng lý luận chính trị luôn được Đảng ta xác định là nhiệm vụ "
    "thường xuyên, có ý nghĩa chiến lược trong xây dựng đội ngũ cán bộ.",
    "Thực tiễn ở {truong} cho thấy chất lượng bài giảng phụ thuộc trước hết vào năng lực và "
    "tâm huyết của đội ngũ giảng viên.",
    "Sinh hoạt chi bộ là hình thức quan trọng để giáo dục, rèn luyện và quản lý đảng viên.",
    "Nhiều chi bộ đã đổi mới nội dung sinh hoạt, gắn với nhiệm vụ chính trị của cơ quan, "
    "đơn vị, tránh tình trạng hình thức, đơn điệu.",
    "Nghị quyết của Đảng chỉ thật sự đi vào cuộc sống khi được cụ thể hóa bằng chương trình, "
    "kế hoạch phù hợp với điều kiện của từng địa phương.",
    "Đảng ủy Trường đã lãnh đạo thực hiện tốt quy chế dân chủ, phát huy trí tuệ tập thể trong "
    "việc xây dựng kế hoạch năm học {y}.",
    "Người đứng đầu cấp ủy phải gương mẫu, nói đi đôi với làm, dám nghĩ, dám làm, dám chịu "
    "trách nhiệm.",
    "Học viên các lớp trung cấp lý luận chính trị - hành chính phần lớn là cán bộ chủ chốt ở "
    "cơ sở, có nhiều kinh nghiệm thực tiễn.",
    "Vì vậy, phương pháp giảng dạy cần tăng cường trao đổi, thảo luận, giải quyết tình huống "
    "gắn với thực tiễn tỉnh Bến Tre.",
    "Phong trào Đồng Khởi năm 1960 là minh chứng sinh động cho sức mạnh to lớn của nhân dân "
    "khi được Đảng lãnh đạo đúng đắn.",
    "Bài học về tinh thần tự lực, tự cường của quê hương Đồng Khởi vẫn còn nguyên giá trị trong "
    "công cuộc đổi mới hôm nay.",
    "Trong bối cảnh các thế lực thù địch đẩy mạnh chống phá trên không gian mạng, việc bảo vệ "
    "nền tảng tư tưởng của Đảng càng trở nên cấp thiết.",
    "Mỗi giảng viên cần là một chiến sĩ trên mặt trận tư tưởng, kiên định chủ nghĩa Mác - Lênin "
    "và tư tưởng Hồ Chí Minh.",
    "Công tác kiểm tra, giám sát phải được tiến hành thường xuyên, đúng nguyên tắc, phòng ngừa "
    "là chính.",
    "Chủ tịch Hồ Chí Minh dạy: “Cán bộ là cái gốc của mọi công việc”.",
    "Từ khi được thành lập, {truong} đã đào tạo, bồi dưỡng hàng chục nghìn lượt cán bộ cho "
    "hệ thống chính trị của tỉnh.",
    "Tuy nhiên, vẫn còn một bộ phận cán bộ, đảng viên chưa thật sự chủ động nghiên cứu, học tập "
    "lý luận.",
    "Việc ứng dụng công nghệ thông tin trong quản lý đào tạo bước đầu đã mang lại hiệu quả rõ rệt.",
    "Nghiên cứu khoa học gắn với tổng kết thực tiễn giúp giảng viên cập nhật kiến thức, làm "
    "phong phú nội dung bài giảng.",
    "Đội ngũ giảng viên kiêm chức ở các Trung tâm Chính trị cấp huyện là lực lượng quan trọng, "
    "cần được bồi dưỡng thường xuyên.",
    "Công tác dân vận phải thực hiện theo phương châm “dân biết, dân bàn, dân làm, dân kiểm tra, "
    "dân giám sát, dân thụ hưởng”.",
    "Kết quả đó góp phần quan trọng vào việc xây dựng Đảng bộ tỉnh trong sạch, vững mạnh.",
    "Việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh đã trở thành việc làm "
    "thường xuyên của mỗi cán bộ, viên chức nhà trường.",
    "Chất lượng sinh hoạt chi bộ được nâng lên, nhất là sinh hoạt chuyên đề.",
    "Đây là vấn đề vừa cơ bản, lâu dài, vừa cấp bách trước mắt.",
]
ESSAY_OPENERS = ["Thứ nhất, ", "Thứ hai, ", "Thứ ba, ", "Thứ tư, ", "Thứ năm, "]
ESSAY_CLOSERS = [
    "Tóm lại, {topic} là nhiệm vụ quan trọng, đòi hỏi sự vào cuộc đồng bộ của cấp ủy, "
    "chính quyền và mỗi cán bộ, đảng viên.",
    "Với những giải pháp nêu trên, tin tưởng rằng {truong} sẽ tiếp tục hoàn thành tốt nhiệm vụ "
    "chính trị được Tỉnh ủy giao.",
    "Thực hiện tốt các giải pháp trên sẽ góp phần nâng cao chất lượng {topic} trong thời gian tới.",
]
NEWS_SENTENCES = [
    "Tham dự có các đồng chí trong Ban Giám hiệu, Ban Chấp hành Đảng ủy cùng toàn thể cán bộ, "
    "viên chức, người lao động nhà trường.",
    "Phát biểu tại buổi lễ, {leader} đánh giá cao tinh thần học tập nghiêm túc của học viên.",
    "Đồng chí nhấn mạnh, mỗi học viên cần vận dụng kiến thức đã học vào thực tiễn công tác ở "
    "địa phương, cơ quan, đơn vị.",
    "Hội nghị đã thảo luận, đóng góp nhiều ý kiến tâm huyết, thiết thực.",
    "Các đại biểu thống nhất cao với báo cáo và các chỉ tiêu đề ra.",
    "Chương trình học gồm nhiều chuyên đề về lý luận chính trị, quản lý nhà nước và kỹ năng "
    "lãnh đạo, quản lý.",
    "Trong thời gian học tập, học viên sẽ đi nghiên cứu thực tế tại một số địa phương trong tỉnh.",
    "Dịp này, nhà trường đã khen thưởng các học viên có thành tích học tập xuất sắc.",
    "Buổi sinh hoạt chi bộ diễn ra sôi nổi, dân chủ, nhiều đảng viên đã mạnh dạn nêu ý kiến.",
    "Đảng ủy Trường chỉ đạo các chi bộ xây dựng kế hoạch thực hiện Nghị quyết sát với thực tế.",
    "Các tham luận tập trung làm rõ cơ sở lý luận và thực tiễn, đồng thời đề xuất nhiều giải "
    "pháp khả thi.",
    "Hội đồng nghiệm thu đánh giá đề tài có ý nghĩa khoa học và giá trị thực tiễn cao.",
    "Đoàn công tác đã tham quan phòng truyền thống và thư viện của nhà trường.",
    "Hai bên đã trao đổi kinh nghiệm về công tác quản lý đào tạo và nghiên cứu khoa học.",
    "Kết quả năm qua, nhà trường đã mở nhiều lớp với hàng nghìn lượt học viên, vượt kế hoạch "
    "đề ra.",
    "Lãnh đạo nhà trường yêu cầu các khoa, phòng tiếp tục đổi mới phương pháp giảng dạy.",
    "Các tiết giảng được Ban Giám khảo đánh giá có chất lượng, nhiều tiết giảng đạt loại giỏi.",
    "Đại hội đã bầu Ban Chấp hành nhiệm kỳ mới và thông qua Nghị quyết Đại hội.",
]
NEWS_CLOSERS = [
    "Buổi lễ kết thúc trong không khí trang trọng, phấn khởi./.",
    "Hội nghị kết thúc tốt đẹp, đạt mục đích, yêu cầu đề ra./.",
    "Dự kiến khóa học sẽ kết thúc vào cuối năm {y}./.",
    "Đây là hoạt động thiết thực góp phần nâng cao chất lượng đào tạo của nhà trường./.",
    "Hội thảo kết thúc thành công tốt đẹp./.",
]
CAPTIONS = [
    "Quang cảnh buổi lễ", "Các đại biểu dự hội nghị", "Toàn cảnh hội thảo",
    "{leader_short} phát biểu tại buổi lễ", "Học viên chụp ảnh lưu niệm",
    "Ban Giám hiệu nhà trường tặng hoa chúc mừng", "Quang cảnh buổi sinh hoạt chi bộ",
]

BANNERS = {
    2020: "Nhiệt liệt chào mừng Đại hội Thi đua yêu nước tỉnh Bến Tre lần thứ X năm 2020!",
    2021: ("TOÀN ĐẢNG, TOÀN DÂN, TOÀN QUÂN BẾN TRE QUYẾT TÂM THỰC HIỆN THẮNG LỢI NGHỊ QUYẾT ĐẠI "
           "HỘI XIII CỦA ĐẢNG!"),
    2022: "Nhiệt liệt chào mừng 132 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/5/1890 - 19/5/2022)!",
    2023: ("Nhiệt liệt chào mừng kỷ niệm 76 năm Ngày thành lập Trường Chính trị Bến Tre "
           "(07/03/1947 - 07/03/2023); chào mừng 93 năm Ngày thành lập Đoàn TNCS Hồ Chí Minh!"),
    2024: ("Kỷ niệm 114 năm Ngày Quốc tế Phụ nữ (08/3/1910-08/3/2024), 1983 năm cuộc khởi nghĩa "
           "Hai Bà Trưng, ngày Quốc tế hạnh phúc 20/3 và 77 năm Ngày thành lập Trường Đảng tỉnh "
           "Bến Tre (Trường Chính trị Bến Tre) (07/3/1947-07/3/2024)!"),
}


def banner_for(year: int) -> str:
    return BANNERS[min(max(year, 2020), 2024)]


# ---------------------------------------------------------------------------------------------
# Generation


@dataclass
class _Draft:
    section: str
    title: str
    day: dt.date
    paragraphs: list[str]  # clean text, no byline
    author: str = ""
    role: str = ""
    row_author: str | None = None
    row_role: str | None = None
    position: str = "end"
    scheme: str = ""
    summary: bool = False  # first paragraph is "Tóm tắt: ..."
    caption_at: int = -1  # index in paragraphs of an image caption
    traps: list[str] = field(default_factory=list)
    byline_pad: int = 0  # runs of spaces before a top byline
    title_raw: str | None = None  # displayed title when it differs (eth)
    raw_edits: list[tuple[str, int]] = field(default_factory=list)  # (trap, paragraph idx)
    teaser: str | None = None
    extra_sections: list[str] = field(default_factory=list)


def _sentences(rng: random.Random, pool: list[str], k: int, **fmt: str) -> str:
    return " ".join(s.format(**fmt) for s in rng.sample(pool, k))


def _school(rng: random.Random) -> str:
    return rng.choice(["Trường Chính trị tỉnh Bến Tre", "Trường Chính trị Bến Tre",
                       "nhà trường", "Trường Đảng tỉnh Bến Tre"])


def _essay_title(rng: random.Random, year: int) -> tuple[str, str]:
    """(title, topic phrase)."""
    r = rng.randrange(9)
    if r == 0:
        p = rng.choice(PLACES_SINH_HOAT)
        return f"Nâng cao chất lượng sinh hoạt chi bộ {p} hiện nay", "sinh hoạt chi bộ"
    if r == 1:
        x, y = rng.choice(HCM_TOPICS), rng.choice(HCM_CONTEXT)
        return f"Vận dụng tư tưởng Hồ Chí Minh về {x} trong {y}", x
    if r == 2:
        s = rng.choice(SOLUTIONS)
        return f"Một số giải pháp {s} tại Trường Chính trị tỉnh Bến Tre", s
    if r == 3:
        m = rng.choice(SUBJECTS)
        return (f"Đổi mới phương pháp giảng dạy {m} theo hướng phát huy tính tích cực của học "
                f"viên", "đổi mới phương pháp giảng dạy")
    if r == 4:
        a, t = rng.choice(ACTORS), rng.choice(TASKS)
        return f"Vai trò của {a} trong {t} ở tỉnh Bến Tre", t
    if r == 5:
        return f"Phong trào Đồng Khởi - {rng.choice(DONG_KHOI)}", "giáo dục truyền thống"
    if r == 6:
        c = rng.choice(SAFEGUARD)
        return (f"Bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, "
                f"thù địch {c}", "bảo vệ nền tảng tư tưởng của Đảng")
    if r == 7:
        m = rng.choice(SUBJECTS)
        return (f"Quán triệt Nghị quyết Đại hội {congress(year)} của Đảng vào bài giảng {m}",
                "quán triệt Nghị quyết")
    s = rng.choice(SOLUTIONS)
    return f"Một số kinh nghiệm {s} ở Đảng bộ Trường Chính trị", s


def _vary(rng: random.Random, title: str, year: int) -> str:
    """Another title on the same theme (essay series, periods)."""
    return title + rng.choice([
        f" giai đoạn {year} - {year + 5}", " trong tình hình mới", f" (Bài {rng.randint(2, 5)})",
        " - một số vấn đề lý luận và thực tiễn", " - nhìn từ thực tiễn tỉnh Bến Tre",
        f" năm {year}", " - kinh nghiệm và bài học",
    ])


def _essay(rng: random.Random, day: dt.date, title: str, topic: str) -> list[str]:
    school = _school(rng)
    y = str(day.year)
    paras = [
        f"{title} là vấn đề được nhiều cán bộ, giảng viên quan tâm. "
        + _sentences(rng, ESSAY_SENTENCES, 2, y=y, truong=school)
    ]
    for opener in ESSAY_OPENERS[: rng.randint(2, 5)]:
        body = _sentences(rng, ESSAY_SENTENCES, rng.randint(2, 3), y=y, truong=school)
        paras.append(opener + body[0].lower() + body[1:])
    if rng.random() < 0.4:
        paras.insert(1, rng.choice([
            "Ngày 7/3/1947, Tỉnh ủy Bến Tre quyết định thành lập Trường Đảng tỉnh, tiền thân của "
            "Trường Chính trị Bến Tre ngày nay.",
            "Ngày 2-2-2021, Ban Thường vụ Tỉnh ủy đã thống nhất lấy ngày 07/3/1947 là Ngày thành "
            "lập Trường Chính trị tỉnh Bến Tre.",
            "Nghị quyết số 18-NQ/TW ngày 25/10/2017 của Hội nghị Trung ương 6 khóa XII đặt ra yêu "
            "cầu tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị.",
            "Quy định số 09-QĐ/TW ngày 13/11/2018 của Ban Bí thư về chế độ giảng dạy, học tập lý "
            "luận chính trị là căn cứ quan trọng để nhà trường xây dựng kế hoạch.",
        ]))
    paras.append(rng.choice(ESSAY_CLOSERS).format(topic=topic, truong=school))
    return paras


def _news(rng: random.Random, day: dt.date, klass_no: list[int]) -> tuple[str, list[str]]:
    """(title, paragraphs) of a news item published on `day`."""
    y = day.year
    ev = day - dt.timedelta(days=rng.randint(0, 4))
    when = date_phrase(rng, ev)
    lead = leader(y)
    r = rng.randrange(12)
    if r == 0:
        c = rng.choice(CLASSES)
        klass_no[0] += 1
        k = klass_no[0]
        title = f"Khai giảng lớp {c} khóa {k} năm {y}"
        first = (f"{when}, Trường Chính trị tỉnh Bến Tre tổ chức Lễ khai giảng lớp {c} khóa {k} "
                 f"với {rng.randint(45, 120)} học viên là cán bộ, công chức đến từ các sở, ngành "
                 f"và {rng.choice(DISTRICTS)}.")
    elif r == 1:
        c = rng.choice(CLASSES)
        h = rng.choice(DISTRICTS)
        title = f"Bế giảng lớp {c} hệ không tập trung tại {h} năm {y}"
        first = (f"{when}, tại Trung tâm Chính trị {h}, Trường Chính trị tỉnh Bến Tre tổ chức "
                 f"Lễ bế giảng lớp {c} hệ không tập trung.")
    elif r == 2:
        t = rng.choice(RESEARCH)
        title = f"Hội thảo khoa học “{t}”"
        first = (f"{when}, Trường Chính trị tỉnh Bến Tre tổ chức Hội thảo khoa học “{t}” với sự "
                 f"tham dự của các nhà khoa học, giảng viên trong và ngoài tỉnh.")
    elif r == 3:
        t = rng.choice(RESEARCH)
        title = f"Nghiệm thu đề tài khoa học cấp cơ sở “{t}” năm {y}"
        first = (f"{when}, Hội đồng khoa học Trường Chính trị tỉnh Bến Tre tổ chức nghiệm thu đề "
                 f"tài khoa học cấp cơ sở “{t}” do {rng.choice(ESSAYISTS)[0]} làm chủ nhiệm.")
    elif r == 4:
        u = rng.choice(UNITS)
        q = rng.choice(ROMAN)
        title = f"Chi bộ {u} tổ chức sinh hoạt chi bộ chuyên đề quý {q} năm {y}"
        first = (f"{when}, Chi bộ {u} tổ chức sinh hoạt chi bộ chuyên đề quý {q} năm {y} với chủ "
                 f"đề “{rng.choice(SOLUTIONS)}”.")
    elif r == 5:
        u = rng.choice(UNITS)
        a = y if y % 2 == 0 else y - 1
        title = f"Đại hội Chi bộ {u} nhiệm kỳ {a}-{a + 2}"
        first = (f"{when}, Chi bộ {u} thuộc Đảng bộ Trường Chính trị tỉnh Bến Tre tổ chức Đại "
                 f"hội nhiệm kỳ {a}-{a + 2}.")
    elif r == 6:
        n = rng.randint(2, 9)
        title = (f"Học tập, quán triệt Nghị quyết Hội nghị lần thứ {n} Ban Chấp hành Trung ương "
                 f"Đảng khóa {congress(y)}")
        first = (f"{when}, Đảng ủy Trường Chính trị tỉnh Bến Tre tổ chức hội nghị học tập, quán "
                 f"triệt Nghị quyết Hội nghị lần thứ {n} Ban Chấp hành Trung ương Đảng khóa "
                 f"{congress(y)} cho toàn thể cán bộ, đảng viên.")
    elif r == 7:
        title = f"Trường Chính trị tỉnh Bến Tre tổ chức Hội nghị viên chức, người lao động năm {y}"
        first = (f"{when}, Trường Chính trị tỉnh Bến Tre tổ chức Hội nghị viên chức, người lao "
                 f"động năm {y}, đánh giá kết quả thực hiện nhiệm vụ năm {y - 1}.")
    elif r == 8:
        p = rng.choice(PROVINCES)
        title = (f"Đoàn công tác Trường Chính trị tỉnh {p} thăm và trao đổi kinh nghiệm tại "
                 f"Trường Chính trị tỉnh Bến Tre năm {y}")
        first = (f"{when}, Đoàn công tác Trường Chính trị tỉnh {p} do đồng chí Phó Hiệu trưởng "
                 f"làm trưởng đoàn đã đến thăm và làm việc tại Trường Chính trị tỉnh Bến Tre.")
    elif r == 9:
        title = f"Hội thi giảng viên dạy giỏi cấp trường năm học {y}-{y + 1}"
        first = (f"{when}, Trường Chính trị tỉnh Bến Tre tổ chức Hội thi giảng viên dạy giỏi cấp "
                 f"trường năm học {y}-{y + 1} với {rng.randint(8, 20)} giảng viên tham gia.")
    elif r == 10:
        n = rng.randint(2, 5)
        s = rng.choice(SOLUTIONS)
        title = f"Đảng ủy Trường Chính trị sơ kết {n} năm thực hiện Nghị quyết về {s}"
        first = (f"{when}, Đảng ủy Trường Chính trị tỉnh Bến Tre tổ chức hội nghị sơ kết {n} năm "
                 f"thực hiện Nghị quyết của Đảng ủy về {s}.")
    else:
        title = f"Tổng kết năm học {y - 1}-{y} và triển khai nhiệm vụ năm học {y}-{y + 1}"
        first = (f"{when}, Trường Chính trị tỉnh Bến Tre tổ chức hội nghị tổng kết năm học "
                 f"{y - 1}-{y} và triển khai phương hướng, nhiệm vụ năm học {y}-{y + 1}.")
    paras = [first]
    for _ in range(rng.randint(2, 6)):
        paras.append(_sentences(rng, NEWS_SENTENCES, rng.randint(1, 3), leader=lead))
    if rng.random() < 0.3:
        paras.append("Nội dung hội nghị gồm:")
        paras += ["+ " + s for s in rng.sample(SOLUTIONS, 3)]
    paras.append(rng.choice(NEWS_CLOSERS).format(y=y))
    return title, paras


def _spread_dates(rng: random.Random, n: int, today: dt.date) -> list[dt.date]:
    start, end = dt.date(2012, 1, 9), dt.date(2024, 3, 29)
    span = (end - start).days
    days = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(n))
    return [d - dt.timedelta(days=1) if d == today else d for d in days]


def _anchors() -> list[_Draft]:
    """Articles modelled on the ones known from the real site (sites.md §2.4), traps included."""
    a: list[_Draft] = []
    a.append(_Draft(
        NEWS, "Đại hội Đảng bộ Trường Chính trị tỉnh Bến Tre nhiệm kỳ 2020 – 2025",
        dt.date(2020, 5, 21),
        ["Ngày 18 tháng 5 năm 2020, Đảng bộ Trường Chính trị tỉnh Bến Tre long trọng tổ chức Đại "
         "hội đại biểu lần thứ XII, nhiệm kỳ 2020 – 2025.",
         "Đại hội đã đánh giá kết quả thực hiện Nghị quyết Đại hội nhiệm kỳ 2015 – 2020, xác định "
         "phương hướng, mục tiêu, nhiệm vụ và giải pháp cho nhiệm kỳ mới.",
         "Đại hội đã bầu Ban Chấp hành Đảng bộ nhiệm kỳ 2020 – 2025 gồm 9 đồng chí và bầu đoàn "
         "đại biểu dự Đại hội Đảng bộ Khối Các cơ quan tỉnh.",
         "Đại hội kết thúc thành công tốt đẹp./."],
        "Nguyễn Thị Nguyên", "Phòng QLĐT và NCKH", scheme="content",
        traps=["en_dash_alias"]))
    a.append(_Draft(
        NEWS, "Nghiệm thu thành công đề tài “Hành trình Tổng Bí thư Lê Duẩn ở Bến Tre” – những "
        "đóng góp đối với phong trào cách mạng của tỉnh nhà", dt.date(2022, 1, 5),
        ["Chiều ngày 31 tháng 12 năm 2021, Hội đồng khoa học tỉnh tổ chức nghiệm thu đề tài "
         "“Hành trình Tổng Bí thư Lê Duẩn ở Bến Tre” do Trường Chính trị tỉnh Bến Tre chủ trì.",
         "Đề tài đã hệ thống hóa nhiều tư liệu quý về những năm tháng hoạt động của đồng chí Lê "
         "Duẩn tại Bến Tre, góp phần giáo dục truyền thống cho thế hệ trẻ.",
         "Hội đồng thống nhất đánh giá đề tài đạt loại xuất sắc./."],
        "Võ Thanh Tâm", "Phòng QLĐT và NCKH", scheme="content",
        traps=["curly_quotes_alias", "en_dash_alias"]))
    a.append(_Draft(
        FORUM, "Vận dụng nội dung “Đồng Khởi mới” trong xây dựng, phát triển Trường Chính trị "
        "Bến Tre đạt trường chính trị chuẩn năm 2025", dt.date(2022, 2, 24),
        ["Tóm tắt: Bài viết phân tích nội dung “Đồng Khởi mới” và đề xuất cách vận dụng vào xây "
         "dựng Trường Chính trị Bến Tre đạt chuẩn.",
         "Phong trào “Đồng Khởi mới” được Tỉnh ủy Bến Tre phát động nhằm khơi dậy tinh thần tự "
         "lực, tự cường, sáng tạo của cán bộ và nhân dân trong tỉnh.",
         "Thứ nhất, xây dựng đội ngũ giảng viên đủ về số lượng, đạt chuẩn về trình độ chuyên môn "
         "và lý luận chính trị.",
         "Thứ hai, đổi mới nội dung, chương trình, phương pháp giảng dạy theo hướng thiết thực, "
         "gắn với thực tiễn của tỉnh.",
         "Thứ ba, đầu tư cơ sở vật chất, ứng dụng công nghệ thông tin trong quản lý, giảng dạy."],
        "P.H", "", row_author=" P.H", position="top", scheme="content", summary=True,
        traps=["initials_byline"]))
    a.append(_Draft(
        FORUM, "Công tác xây dựng Đảng về đạo đức ở Trường Chính trị Bến Tre", dt.date(2022, 4, 3),
        ["Xây dựng Đảng về đạo đức là một nội dung quan trọng được Đại hội XIII của Đảng đặc biệt "
         "nhấn mạnh.",
         "Đảng bộ Trường Chính trị đã cụ thể hóa bằng quy định về chuẩn mực đạo đức của cán bộ, "
         "đảng viên, giảng viên nhà trường.",
         "Việc nêu gương của người đứng đầu được coi là giải pháp then chốt.",
         "Kết quả đó góp phần xây dựng Đảng bộ trong sạch, vững mạnh."],
        "C.V.D", "", position="top", scheme="root",
        traps=["initials_byline", "eth"], title_raw="Công tác xây dựng Ðảng về đạo đức ở Trường "
        "Chính trị Bến Tre", raw_edits=[("eth", 0), ("eth", 1)]))
    a.append(_Draft(
        FORUM, "Ý nghĩa việc xác định Ngày thành lập trường", dt.date(2020, 11, 17),
        ["Sau nhiều năm sưu tầm, nghiên cứu tư liệu, nhà trường đã xác định được ngày thành lập "
         "Trường Đảng tỉnh Bến Tre là ngày 07/3/1947.",
         "Việc xác định ngày thành lập trường có ý nghĩa lịch sử và chính trị sâu sắc, là cơ sở "
         "để giáo dục truyền thống cho các thế hệ cán bộ, giảng viên.",
         "Tiền thân của nhà trường là Trường Đảng Trần Trường Sinh, nơi đào tạo nhiều cán bộ cho "
         "cách mạng của tỉnh trong hai cuộc kháng chiến.",
         "Đây là niềm tự hào, đồng thời là trách nhiệm của mỗi cán bộ, viên chức nhà trường hôm "
         "nay."],
        "Đ/c Cao Dũng", "Hiệu trưởng Trường Chính trị", position="top", scheme="content"))
    a.append(_Draft(
        FORUM, "Trường Chính trị Bến Tre với nhiệm vụ đối mới căn bản và toàn diện giáo dục, "
        "đào tạo", dt.date(2023, 10, 12),
        ["Nghị quyết số 29-NQ/TW ngày 04/11/2013 của Hội nghị Trung ương 8 khóa XI đã đặt ra yêu "
         "cầu đổi mới căn bản, toàn diện giáo dục và đào tạo.",
         "Đối với Trường Chính trị, đổi mới trước hết là đổi mới chương trình, nội dung và phương "
         "pháp giảng dạy lý luận chính trị.",
         "Nhà trường đã chủ động phối hợp với các Trung tâm Chính trị cấp huyện trong tổ chức "
         "các lớp hệ không tập trung.",
         "Trong thời gian tới, nhà trường tiếp tục nâng cao chất lượng đội ngũ giảng viên."],
        "Nguyễn Thị Hiền", "Trưởng Phòng Đào tạo", row_role=" Trưởng Phòng Đào tạo",
        position="top", scheme="noi-dung", byline_pad=50, traps=["typo_title"]))
    a.append(_Draft(
        FORUM, "Ý chí đấu tranh kiên cường của người cộng sản Trần Trường Sinh trong sự nghiệp "
        "cách mạng của đất nước và quê hương Bến Tre", dt.date(2021, 4, 20),
        ["Đồng chí Trần Trường Sinh là tấm gương tiêu biểu về ý chí đấu tranh kiên cường của "
         "người cộng sản.",
         "Dù bị địch bắt, tù đày, đồng chí vẫn giữ vững khí tiết, tiếp tục học tập và truyền bá "
         "lý luận cho các đồng chí của mình.",
         "Tên của đồng chí được đặt cho Trường Đảng tỉnh, như một lời nhắc nhở các thế hệ "
         "sau."],
        "ThS. Phan Văn Thuận", "Trưởng Khoa Xây dựng Đảng", row_role=" Trưởng Khoa Xây dựng Đảng",
        position="top", scheme="root"))
    a.append(_Draft(
        FORUM, "Trần Trường Sinh - một nhà giáo giỏi lý luận và phương pháp sư phạm lôi cuốn, "
        "thuyết phục người nghe", dt.date(2021, 4, 20),
        ["Những người từng học với đồng chí Trần Trường Sinh đều nhớ những bài giảng giản dị, "
         "dễ hiểu mà sâu sắc.",
         "Đồng chí luôn lấy ví dụ từ thực tiễn đấu tranh của nhân dân Bến Tre để minh họa cho "
         "các vấn đề lý luận.",
         "Phương pháp sư phạm ấy vẫn còn nguyên giá trị đối với đội ngũ giảng viên hôm nay."],
        "ThS. Nguyễn Thành Phương", "Trưởng khoa Lý luận cơ sở", position="top", scheme="root"))
    a.append(_Draft(
        FORUM, "Tự hào là người giảng viên Trường Chính trị Bến Tre", dt.date(2022, 11, 21),
        ["Nhân kỷ niệm 75 năm Ngày thành lập trường và 40 năm ngày Nhà giáo Việt Nam, mỗi giảng "
         "viên lại có dịp nhìn lại chặng đường đã qua.",
         "Nghề dạy học lý luận chính trị đòi hỏi người giảng viên phải không ngừng học tập, rèn "
         "luyện.",
         "Niềm tự hào ấy là động lực để mỗi người gắn bó, cống hiến cho mái trường."],
        "ThS. Dương Quốc Hoàng", "Phó Hiệu trưởng", position="top", scheme="root"))
    a.append(_Draft(
        FORUM, "Trường Đảng tỉnh trong những năm đầu thành lập", dt.date(2019, 3, 5),
        ["Ngày 7/3/1947, giữa những ngày đầu kháng chiến chống thực dân Pháp, Trường Đảng tỉnh "
         "Bến Tre được thành lập.",
         "Trường không có cơ sở cố định, thường xuyên di chuyển để bảo đảm an toàn cho cán bộ, "
         "học viên.",
         "Những lớp học đầu tiên đã đào tạo cho tỉnh nhiều cán bộ cốt cán."],
        "ThS. Dương Văn Chăm", "Phó Hiệu trưởng", position="top", scheme="content"))
    a.append(_Draft(
        NEWS, "TRƯỜNG CHÍNH TRỊ TỈNH BẾN TRE TỔ CHỨC LỄ KỶ NIỆM 75 NĂM NGÀY THÀNH LẬP TRƯỜNG "
        "(07/3/1947 - 07/3/2022)", dt.date(2022, 3, 8),
        ["Sáng ngày 7/3/2022, Trường Chính trị tỉnh Bến Tre long trọng tổ chức Lễ kỷ niệm 75 năm "
         "Ngày thành lập trường (07/3/1947 - 07/3/2022).",
         "Đây là lần đầu tiên nhà trường tổ chức kỷ niệm Ngày thành lập sau khi được Ban Thường "
         "vụ Tỉnh ủy công nhận ngày 2-2-2021.",
         "Dịp này, nhà trường vinh dự đón nhận Bằng khen của Ủy ban nhân dân tỉnh./."],
        "Lê Thị Mỹ Linh", "Phòng Tổ chức - Hành chính", scheme="root",
        traps=["all_caps_title"]))
    a.append(_Draft(
        NEWS, "Hội nghị triển khai kế hoạch mở lớp bồi dưỡng năm 2024", dt.date(2024, 1, 8),
        ["Ngày 05/01/2023, Trường Chính trị tỉnh Bến Tre tổ chức hội nghị triển khai kế hoạch "
         "mở lớp bồi dưỡng năm 2024.",
         "Theo kế hoạch, năm 2024 nhà trường sẽ mở 42 lớp với khoảng 3.000 lượt học viên.",
         "Sáng 23/7/2025, nhà trường dự kiến tổng kết toàn bộ chương trình./."],
        "", "", scheme="root", traps=["body_date_conflict", "no_byline"]))
    return a


def build_site(n_articles: int = 160, seed: int = 7, link_variants: bool = False) -> Site:
    rng = random.Random(seed)
    today = dt.datetime.now(VN_TZ).date()
    anchors = _anchors()[: max(0, n_articles)]
    n_gen = max(0, n_articles - len(anchors))
    days = _spread_dates(rng, n_gen, today)
    drafts: list[_Draft] = []
    klass_no = [30]
    seen_titles: set[str] = {a.title for a in anchors}
    for day in days:
        if rng.random() < 0.55:
            title, paras = _news(rng, day, klass_no)
            if title in seen_titles and rng.random() < 0.9:
                title += rng.choice([" (đợt 2)", " (tin bổ sung)", f" tại {rng.choice(DISTRICTS)}"])
            d = _Draft(NEWS, title, day, paras, position="end")
            if rng.random() < 0.15:
                d.traps.append("no_byline")
            else:
                d.author, d.role = rng.choice(REPORTERS)
            if rng.random() < 0.6:
                cap = rng.choice(CAPTIONS).format(
                    leader_short="Đồng chí " + leader(day.year).split(",")[0][9:])
                d.paragraphs.insert(1, cap)
                d.caption_at = 1
        else:
            title, topic = _essay_title(rng, day.year)
            base_title = title
            for _ in range(3):
                if title not in seen_titles or rng.random() < 0.05:
                    break
                title = _vary(rng, title, day.year)
            paras = _essay(rng, day, base_title, topic)
            eligible = [e for e in ESSAYISTS if e[2] <= day.year <= e[3]]
            name, role, _, _ = rng.choice(eligible)
            d = _Draft(FORUM, title, day, paras, name, role, position="top")
            if rng.random() < 0.3:
                d.byline_pad = rng.choice([10, 20, 30, 60])
        seen_titles.add(d.title)
        if d.author and rng.random() < 0.1:
            d.position = "fields"
        drafts.append(d)

    # Traps spread over the generated articles (deterministic picks).
    gen_idx = list(range(len(drafts)))
    rng.shuffle(gen_idx)
    used: set[int] = set()

    def take(k: int, cond=lambda d: True) -> list[_Draft]:
        out = []
        for i in gen_idx:
            if len(out) >= k:
                break
            if cond(drafts[i]) and i not in used:
                out.append(drafts[i])
                used.add(i)
        return out

    for d in take(2, lambda d: d.section == NEWS and d.author):
        d.traps.append("zero_width")
        d.raw_edits.append(("zero_width", len(d.paragraphs) // 2))
    for d in take(1, lambda d: d.section == FORUM):
        d.traps.append("nfd_text")
    for d in take(1, lambda d: d.section == FORUM):
        d.traps.append("eth")
        idx = next((i for i, p in enumerate(d.paragraphs) if "Đảng" in p), -1)
        if idx < 0:
            d.paragraphs.insert(1, "Mọi hoạt động của nhà trường đều đặt dưới sự lãnh đạo "
                                   "của Đảng ủy và Ban Giám hiệu.")
            idx = 1
        d.raw_edits.append(("eth", idx))
    for d in take(2, lambda d: d.section == FORUM):
        d.traps.append("one_char_teaser")
        d.teaser = d.paragraphs[0][0]
    k_cross = max(3, n_articles // 50)
    for d in take(k_cross):
        d.traps.append("cross_posted")
        d.extra_sections.append(FORUM if d.section == NEWS else NEWS)
    for i in gen_idx:
        d = drafts[i]
        if rng.random() < 0.2:
            d.traps.append("nbsp_lines")
        if rng.random() < 0.15:
            d.traps.append("double_spaces")
            d.raw_edits.append(("double_spaces", rng.randrange(len(d.paragraphs))))
        if d.section == NEWS and "body_date_conflict" not in d.traps and rng.random() < 0.07:
            _conflict(rng, d)
    drafts.extend(anchors)
    drafts.sort(key=lambda d: (d.day, d.title))

    # Node ids grow with time (deleted nodes leave gaps); the "Giới thiệu" page is an early node.
    taken: set[str] = {"gioi-thieu"}
    nodes: dict[int, NodeData] = {}
    articles: list[ReplicaArticle] = []
    nid = 23
    intro_nid = 7
    nodes[intro_nid] = _intro_page(intro_nid)
    for d in drafts:
        nid += 1 + (rng.random() < 0.25) * rng.randint(1, 4)
        scheme = d.scheme or _scheme_for(rng, d.day)
        path = make_alias(d.title, scheme, taken)
        created = dt.datetime.combine(d.day, dt.time(rng.randint(6, 21), rng.randrange(60)),
                                      VN_TZ)
        sections = [d.section, *d.extra_sections]
        node = NodeData(nid, path, "article", d.title_raw or d.title, created, sections,
                        _blocks(rng, d), d.row_author if d.row_author is not None else d.author,
                        d.row_role if d.row_role is not None else d.role, d.position,
                        nfd="nfd_text" in d.traps, justify=rng.random() < 0.7)
        node.teaser = d.teaser if d.teaser is not None else _trim(d.paragraphs[0], 220)
        nodes[nid] = node
        paragraphs = [re.sub(r"\s+", " ", p).strip() for p in d.paragraphs]
        articles.append(ReplicaArticle(
            nid, path, d.title, d.day, d.author, d.role, sections,
            paragraphs, d.position if d.author else "end", sorted(set(d.traps))))

    listings: dict[str, list[int]] = {s: [] for s in SECTIONS}
    for art in sorted(articles, key=lambda a: (nodes[a.nid].created, a.nid), reverse=True):
        for s in art.sections:
            listings[s].append(art.nid)

    # "Tin khác": the next five older articles of the node's first section (wrapping around);
    # a few articles are linked there as /node/NID instead of their alias.
    related: dict[int, list[tuple[int, bool]]] = {}
    by_nid = {a.nid: a for a in articles}
    candidates = [a for a in articles if listings[a.sections[0]].index(a.nid) > 0
                  and not a.traps]
    node_linked = {a.nid for a in rng.sample(candidates, min(4, len(candidates)))}
    for a in articles:
        if a.nid in node_linked:
            a.traps = sorted([*a.traps, "node_link"])
    for s, nids in listings.items():
        for i, n in enumerate(nids):
            if by_nid[n].sections[0] != s:
                continue
            others = [nids[(i + j) % len(nids)] for j in range(1, min(6, len(nids)))]
            related[n] = [(o, o in node_linked) for o in others]

    site = Site(articles, dict(SECTIONS), PAGE_SIZE, HOST_ALIASES, nodes, listings, related,
                [intro_nid], seed=seed, link_variants=link_variants)
    for n, node in nodes.items():
        key = node.path.strip("/")
        site.by_path[key] = n
        site.by_path_folded[key.lower()] = n
    return site


def _scheme_for(rng: random.Random, day: dt.date) -> str:
    """Alias pattern by era: Unicode content/ until mid-2021, then ASCII at root, a few noi-dung."""
    if day < dt.date(2021, 6, 1):
        return "content" if rng.random() < 0.93 else "root"
    return "noi-dung" if rng.random() < 0.06 else "root"


def _conflict(rng: random.Random, d: _Draft) -> None:
    """Make the opening date of a news item disagree with its publication date (§4.10)."""
    if rng.random() < 0.5:
        wrong = d.day.replace(year=d.day.year - 1, day=min(d.day.day, 28))
        phrase = f"Ngày {wrong.day:02d}/{wrong.month:02d}/{wrong.year}"
    else:
        later = d.day + dt.timedelta(days=rng.randint(200, 900))
        phrase = f"Sáng {later.day}/{later.month}/{later.year}"
    d.paragraphs[0] = re.sub(r"^[^,]*\d{4}", phrase, d.paragraphs[0], count=1)
    if not d.paragraphs[0].startswith(phrase):
        d.paragraphs[0] = f"{phrase}, {d.paragraphs[0][0].lower()}{d.paragraphs[0][1:]}"
    d.traps.append("body_date_conflict")


def _trim(text: str, limit: int) -> str:
    """Views "trim to max length" on a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit].rstrip(",;:") + "..."


def _dirty(trap: str, text: str, rng: random.Random) -> str:
    if trap == "eth":
        return text.replace("Đảng", "Ðảng")
    if trap == "double_spaces":
        spaces = [m.start() for m in re.finditer(" ", text)]
        for pos in sorted(rng.sample(spaces, min(2, len(spaces))), reverse=True):
            text = text[:pos] + "  " + text[pos + 1:]
        return text
    if trap == "zero_width":
        words = [m for m in re.finditer(r"\w{5,}", text)]
        if len(words) >= 2:
            a, b = words[1], words[-1]
            mid_b = b.start() + len(b.group()) // 2
            mid_a = a.start() + len(a.group()) // 2
            text = text[:mid_b] + "\u200b" + text[mid_b:]
            text = text[:mid_a] + "\u00ad" + text[mid_a:]
        return text
    return text


def _blocks(rng: random.Random, d: _Draft) -> list[tuple[str, str]]:
    raw = list(d.paragraphs)
    for trap, idx in d.raw_edits:
        raw[idx] = _dirty(trap, raw[idx], rng)
    nbsp = "nbsp_lines" in d.traps
    blocks: list[tuple[str, str]] = []
    byline: list[tuple[str, str]] = []
    if d.author and d.position != "fields":
        pad = " " * d.byline_pad
        byline = [("by_name", pad + d.author)]
        if d.role:
            byline.append(("by_role", (" " if d.byline_pad else "") + d.role))
    if d.position == "top" and byline:
        if nbsp:
            blocks.append(("nbsp", ""))
        blocks += byline
        if nbsp:
            blocks.append(("nbsp", ""))
    for i, text in enumerate(raw):
        if i == d.caption_at:
            stamp = d.day.strftime("%Y-%m")
            blocks.append(("img", f"/sites/default/files/{stamp}/anh-{rng.randrange(1, 999)}.jpg"))
            blocks.append(("caption", text))
            continue
        blocks.append(("summary" if i == 0 and d.summary else "p", text))
        if nbsp and i % 2 == 1:
            blocks.append(("nbsp", ""))
    if d.position == "end" and byline:
        if nbsp:
            blocks.append(("nbsp", ""))
        blocks += byline
    return blocks


def _intro_page(nid: int) -> NodeData:
    paras = [
        "Trường Chính trị tỉnh Bến Tre là cơ sở đào tạo, bồi dưỡng cán bộ lãnh đạo, quản lý của "
        "hệ thống chính trị tỉnh, trực thuộc Tỉnh ủy và Ủy ban nhân dân tỉnh.",
        "Tiền thân của nhà trường là Trường Đảng tỉnh Bến Tre, được thành lập ngày 07/3/1947, "
        "sau này mang tên Trường Đảng Trần Trường Sinh.",
        "Ngày 2-2-2021, Ban Thường vụ Tỉnh ủy thống nhất lấy ngày 07/3/1947 là Ngày thành lập "
        "trường; lễ kỷ niệm đầu tiên được tổ chức năm 2022.",
        "Nhà trường có các khoa: Xây dựng Đảng, Lý luận cơ sở, Nhà nước và Pháp luật, Dân vận; "
        "các phòng: Đào tạo, Tổ chức - Hành chính, Quản lý khoa học.",
    ]
    return NodeData(nid, "/gioi-thieu", "page", "Giới thiệu",
                    dt.datetime(2011, 6, 1, 9, 0, tzinfo=VN_TZ), [],
                    [("p", p) for p in paras], justify=True)
