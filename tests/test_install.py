"""The install README shows works with the pip that ships with Python (no upgrade).

`make install` creates .venv with the bundled pip, so this suite itself runs on such an install;
these tests fail where an old pip silently skipped a dependency that crawl-url needs.
"""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT


def test_jus_text_can_clean_html() -> None:
    """trafilatura falls back to jusText, which imports lxml.html.clean at import time: with
    pip 23 and `lxml[html_clean]` unmatched, every crawl-url page failed with ImportError."""
    import justext
    from lxml.html.clean import Cleaner

    html = ("<html><body><div><p>Trường Chính trị tỉnh Bến Tre khai giảng lớp Trung cấp lý luận "
            "chính trị - hành chính cho cán bộ, công chức các huyện trong tỉnh.</p><script>x()"
            "</script></div></body></html>")
    assert "<script>" not in Cleaner(javascript=True).clean_html(html)
    paragraphs = justext.justext(html.encode(), frozenset(), encoding="utf-8")
    assert any("khai giảng" in p.text for p in paragraphs)


def test_extras_that_old_pip_skips_are_declared_directly() -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = {d.split(">")[0].split("=")[0].strip().lower().replace("-", "_")
             for d in declared["project"]["dependencies"]}
    assert "lxml_html_clean" in names


def test_make_does_not_upgrade_pip() -> None:
    """README promises the bundled pip is enough; `make` must not hide a failure by upgrading."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--upgrade pip" not in makefile and "-U pip" not in makefile
