"""Stock Drupal 7 variants of the Bến Tre replica: listing styles and the bylines editors type.

A real Drupal 7 school site renders a section with whatever Views style its builder picked, or
with core's taxonomy term page of node teasers, and its editors type bylines in CKEditor in
several shapes. The markup here follows the stock templates:

- Views 3 (7.x-3.x) theme/views-view-unformatted.tpl.php, views-view-list.tpl.php,
  views-view-grid.tpl.php, views-view-table.tpl.php, views-view-fields.tpl.php and the class
  names of theme/theme.inc (`views-row views-row-N views-row-odd views-row-first`, grid
  `views-view-grid cols-N` / `row-N row-first` / `col-N col-first`, table `views-table cols-N`
  with `odd views-row-first` rows and `views-field views-field-ID` cells, `field-content`,
  `views-label views-label-ID`);
- core's taxonomy_term_page(): the term heading, then node_view_multiple() teasers through
  Bartik's node.tpl.php (`node-teaser`, `<h2><a>`, `content clearfix`, `link-wrapper` with
  `node-readmore`), and theme_field() for the teaser's fields;
- CKEditor bylines: `<p>Name<br />Role</p>`, a bold name with an italic role, right-aligned
  closing paragraphs, `Tác giả:` / `Tin, ảnh:` labels, at the top (essays) or end (news), or a
  long-text "Tác giả" node field.

`build_variant(name)` returns a small `Site` whose ground truth (`Site.articles`) matches what
the pages show.
"""

from __future__ import annotations

import random

from replicas.bentre import ESSAYISTS, Site, Variant, build_site

VARIANTS: dict[str, Variant] = {
    v.name: v
    for v in (
        # The replica: Views fields without byline fields; the byline is in the body.
        # The posting account is shown in the row and is not the author.
        Variant("views-unformatted", listing="unformatted", bylines="editors", row_byline="none",
                account_field=True),
        Variant("views-list", listing="list", bylines="editors", row_byline="one_field",
                pager="mini"),
        Variant("views-grid", listing="grid", bylines="editors", row_byline="fields",
                field_label="inline"),
        Variant("views-table", listing="table", bylines="editors", row_byline="fields"),
        Variant("core-teasers", listing="teaser", bylines="editors", row_byline="none",
                field_label="hidden"),
        Variant("views-node-teasers", listing="views_teaser", bylines="editors",
                row_byline="none"),
    )
}

# Byline shapes editors produce; each authored article gets one (deterministically).
SHAPES = ("br_right", "br_plain", "bold_italic", "em_br", "label", "node_field")

_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;"})


def _plain(s: str) -> str:
    return s.translate(_ESC)


def build_variant(name: str, n_articles: int = 26, seed: int = 11) -> Site:
    """A small Bến Tre site rendered as variant `name` (a key of VARIANTS)."""
    variant = VARIANTS[name]
    site = build_site(n_articles=n_articles, seed=seed)
    site.variant = variant
    if variant.bylines == "editors":
        _editor_bylines(site, random.Random(f"{name}-{seed}"))
    return site


def _editor_bylines(site: Site, rng: random.Random) -> None:
    """Re-type every body byline in one of SHAPES, keeping ground truth in step."""
    for i, art in enumerate(site.articles):
        node = site.nodes[art.nid]
        if not art.author:
            continue
        shape = SHAPES[(i + rng.randrange(len(SHAPES))) % len(SHAPES)]
        name, role = art.author, art.role
        top = art.byline_position == "top"
        if shape == "label" and not top:  # news: `Tin, ảnh: Name`, no role printed
            role = ""
            art.role = ""
            node.row_role = ""
        html = _shape_html(shape, name, role, top)
        if top and role and site.variant.row_byline == "none" and rng.random() < 0.3:
            html = _two_authors(art, node, rng)
        kept = [b for b in node.blocks if b[0] not in ("by_name", "by_role")]
        at = next((k for k, b in enumerate(node.blocks) if b[0] in ("by_name", "by_role")), -1)
        if shape == "node_field":
            node.byline_field_html = html
            node.byline_position = "field_html"
            node.blocks = kept
            continue
        if art.byline_position == "fields":  # was two node fields: now typed in the body
            node.byline_position = "end"
            art.byline_position = "end"
            kept.append(("html", html))
        else:
            kept.insert(at if at >= 0 else len(kept), ("html", html))
        node.blocks = kept


def _two_authors(art, node, rng: random.Random) -> str:
    """An essay signed by two people, each name over its role (ground truth: `A; B`)."""
    other_name, other_role, _, _ = rng.choice([e for e in ESSAYISTS if e[0] != art.author])
    html = "\n".join(
        f'<p style="text-align: right;"><strong>{_plain(n)}</strong><br />\n{_plain(r)}</p>'
        for n, r in ((art.author, art.role), (other_name, other_role)))
    art.author, art.role = f"{art.author}; {other_name}", f"{art.role}; {other_role}"
    node.row_author, node.row_role = art.author, art.role
    return html


def _shape_html(shape: str, name: str, role: str, top: bool) -> str:
    """The byline as an editor types it in CKEditor, HTML-escaped."""
    n, r = _plain(name), _plain(role)
    right = '<p style="text-align: right;">'
    if shape == "br_right":
        tail = f"<br />\n{r}" if r else ""
        return f"{right}<strong>{n}</strong>{tail}</p>"
    if shape == "br_plain":
        return f"<p>{n}<br />\n{r}</p>" if r else f"<p>{n}</p>"
    if shape == "bold_italic":
        role_p = f"\n{right}<em>{r}</em></p>" if r else ""
        return f"{right}<strong>{n}</strong></p>{role_p}"
    if shape == "em_br":
        return (f"{right}<em><strong>{n}</strong></em><br />\n<em>{r}</em></p>" if r
                else f"{right}<em><strong>{n}</strong></em></p>")
    if shape == "label":
        if top:
            tail = f"<br />\n<em>{r}</em>" if r else ""
            return f"<p><strong>Tác giả: {n}</strong>{tail}</p>"
        return f"{right}<em>Tin, ảnh: {n}</em></p>"
    # node_field: a long-text field typed the CKEditor way
    return f"<p>{n}<br />\n{r}</p>" if r else f"<p>{n}</p>"
