"""A later snapshot of a replica site: new articles, an edit, a deletion, and the page drift
they cause, for testing incremental crawls against a site that changed."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from replicas.bentre import FORUM, NEWS, VN_TZ, NodeData, ReplicaArticle, Site, make_alias

NEW_TITLES = [
    "Khai giảng lớp Trung cấp lý luận chính trị - hành chính khóa {n}",
    "Hội nghị tổng kết công tác đào tạo, bồi dưỡng năm {y}",
    "Bế giảng lớp bồi dưỡng kiến thức quốc phòng và an ninh đối tượng 4 khóa {n}",
    "Chi bộ Khoa Xây dựng Đảng sinh hoạt chuyên đề học tập và làm theo tư tưởng Hồ Chí Minh",
    "Hội thảo khoa học nâng cao chất lượng giảng dạy lý luận chính trị khóa {n}",
    "Đoàn công tác Trường Chính trị tham quan, nghiên cứu thực tế tại huyện Chợ Lách",
]
NEW_PARAGRAPHS = [
    "Sáng ngày {d}, Trường Chính trị tỉnh Bến Tre tổ chức {what} với sự tham dự của đại diện "
    "Ban Giám hiệu, các khoa, phòng và toàn thể học viên.",
    "Phát biểu tại buổi lễ, đồng chí Phó Hiệu trưởng đề nghị học viên nghiêm túc chấp hành nội "
    "quy, quy chế học tập, phát huy tinh thần tự học và nghiên cứu thực tiễn địa phương.",
    "Chương trình được thực hiện theo kế hoạch năm học, góp phần nâng cao chất lượng đội ngũ "
    "cán bộ, đảng viên của tỉnh./.",
]
EDIT_NOTE = ("Bài viết được cập nhật: Ban biên tập bổ sung số liệu tổng kết của Phòng Quản lý "
             "đào tạo và Nghiên cứu khoa học.")


@dataclass
class Changes:
    """What changed between the two snapshots, as the archive should see it."""

    new: list[ReplicaArticle] = field(default_factory=list)
    edited: ReplicaArticle | None = None
    deleted: ReplicaArticle | None = None


def evolve(site: Site, *, new: int = 6) -> tuple[Site, Changes]:
    """The same site some days later: `new` news items on top of "Tin tức - Sự kiện" (pushing
    older items to later pages), the newest "Thông tin trao đổi" essay edited, the one after it
    deleted (now 404)."""
    later = copy.deepcopy(site)
    changes = Changes()
    newest = max(a.published for a in later.articles)
    taken = {n.path.strip("/") for n in later.nodes.values()}
    nid = max(later.nodes)
    for i in range(new):
        nid += 1
        day = newest + dt.timedelta(days=i + 1)
        title = NEW_TITLES[i % len(NEW_TITLES)].format(n=40 + i, y=day.year)
        paragraphs = [p.format(d=f"{day.day}/{day.month}/{day.year}", what=title[0].lower()
                               + title[1:]) for p in NEW_PARAGRAPHS]
        path = make_alias(title, "root", taken)
        created = dt.datetime.combine(day, dt.time(9, 30), VN_TZ)
        later.nodes[nid] = NodeData(nid, path, "article", title, created, [NEWS],
                                    [("p", p) for p in paragraphs], teaser=paragraphs[0][:200])
        article = ReplicaArticle(nid, path, title, day, "", "", [NEWS], paragraphs, "end",
                                 ["no_byline"])
        later.articles.append(article)
        later.listings[NEWS].insert(0, nid)
        later.related[nid] = []
        key = path.strip("/")
        later.by_path[key] = nid
        later.by_path_folded[key.lower()] = nid
        changes.new.append(article)

    forum = [n for n in later.listings[FORUM] if later.nodes[n].sections[0] == FORUM]
    edited_nid, deleted_nid = forum[0], forum[1]
    changes.edited = edit_article(later, edited_nid)
    changes.deleted = delete_article(later, deleted_nid)
    return later, changes


def edit_article(site: Site, nid: int) -> ReplicaArticle:
    """Append EDIT_NOTE to an article's body, after its last paragraph (in place)."""
    edited = next(a for a in site.articles if a.nid == nid)
    edited.paragraphs.append(EDIT_NOTE)
    node = site.nodes[nid]
    at = max((i for i, (kind, _) in enumerate(node.blocks) if kind in ("p", "summary")),
             default=len(node.blocks) - 1)
    node.blocks.insert(at + 1, ("p", EDIT_NOTE))
    return edited


def delete_article(site: Site, nid: int) -> ReplicaArticle:
    """Take an article off the site (in place): 404, off every listing (which shift up) and
    every "Tin khác" block."""
    deleted = next(a for a in site.articles if a.nid == nid)
    site.articles.remove(deleted)
    node = site.nodes.pop(nid)
    for nids in site.listings.values():
        if nid in nids:
            nids.remove(nid)
    for links in site.related.values():
        links[:] = [(n, as_node) for n, as_node in links if n != nid]
    key = node.path.strip("/")
    site.by_path.pop(key, None)
    site.by_path_folded.pop(key.lower(), None)
    return deleted
