"""Headless Chromium against `luutru serve`: the reading room driven with JavaScript off (search
`dang uy`, open a result, its capture and a diff) and Datasette's table search; the
screenshots are kept in artifacts/ for people to look at."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from tests.conftest import ROOT
from tests.serving import serving

ARTIFACTS = ROOT / "artifacts"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium not found: install it (`apt-get install -y chromium`, which "
                "`make test` does where apt-get exists) to run the browser test")


@pytest.fixture
def served(bentre_archive):
    db = bentre_archive[0]
    with serving(db) as (base, _):
        yield base, db.stem


def run_chromium(*args: str, javascript: bool = True) -> subprocess.CompletedProcess[str]:
    """One headless Chromium run in a fresh profile. `javascript=False` blocks scripts through
    the profile's content settings (as a user's "Don't allow sites to use JavaScript"):
    `--blink-settings=scriptEnabled=false` would also stop `--dump-dom` itself."""
    with tempfile.TemporaryDirectory(prefix="luutru-chromium-") as profile:
        if not javascript:
            prefs = Path(profile) / "Default" / "Preferences"
            prefs.parent.mkdir()
            prefs.write_text(json.dumps(
                {"profile": {"default_content_setting_values": {"javascript": 2}}}))
        return subprocess.run(
            [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
        )


def test_search_without_diacritics_in_browser(served) -> None:
    base, name = served
    # what the table page's search form submits when a user types "dang uy" and presses Enter
    url = f"{base}/{name}/articles?_search={quote_plus('dang uy')}"
    dom = run_chromium("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'name="_search"' in dom.stdout and 'value="dang uy"' in dom.stdout
    assert "Đảng ủy Trường Chính trị" in dom.stdout
    assert "Bài viết / Articles" in dom.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "web-search-dang-uy.png"
    shot.unlink(missing_ok=True)
    result = run_chromium(f"--screenshot={shot}", "--window-size=1280,1600", url)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def dump(url: str, shot: str | None = None) -> str:
    """The DOM Chromium builds for `url` with JavaScript off; with `shot`, the same run also
    saves a screenshot of it under artifacts/."""
    args = ["--dump-dom", url]
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / shot).unlink(missing_ok=True)
        args[:0] = [f"--screenshot={ARTIFACTS / shot}", "--window-size=1280,1400"]
    result = run_chromium(*args, javascript=False)
    assert result.returncode == 0, result.stderr[-2000:]
    if shot:
        assert (ARTIFACTS / shot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return result.stdout


def test_reading_room_in_browser_without_javascript(changed_archive) -> None:
    """Search `dang uy` as the home page's form submits it, open a result (the one an edit
    changed, shown by its revisions link), its capture and its diff, all with JavaScript
    off; a screenshot of each page goes to artifacts/."""
    probe = dump("data:text/html,<p id=p>off</p><script>p.textContent='on'</script>")
    assert "<p id=\"p\">off</p>" in probe  # scripts really are off in this browser
    with serving(changed_archive[0]) as (base, _):
        search_url = f"{base}/?q={quote_plus('dang uy')}"
        page = dump(search_url, "reading-room-1-search.png")
        assert '<form class="lr-search" action="/" method="get"' in page
        assert 'value="dang uy"' in page and "<mark>Đảng ủy</mark>" in page
        assert "Trường / School" in page and "Năm / Year" in page
        cards = re.findall(r'<h2><a href="(/article/\d+)">', page)
        revised = re.findall(r'href="(/article/\d+)#revisions"', page)
        assert cards and revised, "the edited essay mentions the Đảng ủy"
        article_url = base + revised[0]

        article = dump(article_url, "reading-room-2-article.png")
        capture = re.search(r'href="(/article/\d+/capture)"', article)
        diffs = re.findall(r'href="(/article/\d+/revision/(\d+))"', article)
        assert capture and diffs
        diff_url = base + max(diffs, key=lambda d: int(d[1]))[0]
        assert diff_url.endswith("/revision/2")

        captured = dump(base + capture[1], "reading-room-3-capture.png")
        assert 'id="luutru-capture-banner"' in captured and "<script" not in captured
        assert "Bản lưu trữ / Archived copy" in captured

        diff = dump(diff_url, "reading-room-4-diff.png")
        assert "<ins>" in diff and "Bài viết được cập nhật" in diff
