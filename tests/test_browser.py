"""Headless Chromium against `luutru serve`: a search typed without diacritics finds the
article; the screenshot is kept in artifacts/ for people to look at."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import quote_plus
from urllib.request import urlopen

import pytest

from tests.conftest import LUUTRU, ROOT

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(bentre_archive):
    db = bentre_archive[0]
    port = free_port()
    proc = subprocess.Popen(
        [*LUUTRU, "serve", "--db", str(db), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urlopen(f"{base}/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"luutru serve did not start: {proc.stderr.read()}"
                                         ) from None
                time.sleep(0.2)
        yield base, db.stem
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_chromium(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="luutru-chromium-") as profile:
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
