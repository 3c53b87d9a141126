"""`luutru export --format wacz`: the crawl's WARC files as a WACZ that `wacz validate` accepts
and pywb replays, versions and removed articles included."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from replicas.snapshots import EDIT_NOTE
from tests.conftest import run_cli

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def wacz_file(changed_archive, tmp_path_factory):
    db, _site, _changes = changed_archive
    out = tmp_path_factory.mktemp("wacz") / "bentre.wacz"
    proc = run_cli("export", "--db", str(db), "--format", "wacz", "--site", "bentre",
                   "-o", str(out))
    return out, proc.stderr


def pages_of(wacz: Path) -> list[dict]:
    with zipfile.ZipFile(wacz) as z:
        lines = z.read("pages/pages.jsonl").decode("utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "json-pages-1.0"
    return [json.loads(line) for line in lines[1:]]


def test_our_warcs_pass_warcio_check(changed_archive):
    db, _site, _changes = changed_archive
    warcs = sorted((db.parent / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2
    proc = subprocess.run([str(BIN / "warcio"), "check", *map(str, warcs)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_wacz_validates_with_index_and_page_list(changed_archive, wacz_file):
    db, site, changes = changed_archive
    wacz, said = wacz_file
    n = len(site.articles) + len(changes.new)
    assert f"{n} article pages, 2 WARC files" in said and "warning" not in said
    proc = subprocess.run([str(BIN / "wacz"), "validate", "-f", str(wacz)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "is valid" in proc.stdout, proc.stdout + proc.stderr
    with zipfile.ZipFile(wacz) as z:
        names = set(z.namelist())
        index = gzip.decompress(z.read("indexes/index.cdx.gz")).decode("utf-8")
    assert {f"archive/{p.name}" for p in (db.parent / "warc").glob("*.warc.gz")} <= names
    assert {"datapackage.json", "datapackage-digest.json", "indexes/index.idx"} <= names
    pages = pages_of(wacz)
    assert len(pages) == n
    titles = {p["title"] for p in pages}
    assert changes.deleted.title in titles and changes.edited.title in titles
    for page in pages:  # every page is a capture the CDXJ index holds
        stamp = "".join(c for c in page["ts"] if c.isdigit())[:14]
        assert f" {stamp} " in index and json.dumps(page["url"])[1:-1] in index


def test_pywb_replays_versions_and_removed_articles(changed_archive, wacz_file, tmp_path):
    db, _site, changes = changed_archive
    wacz, _ = wacz_file
    pages = {p["title"]: p for p in pages_of(wacz)}
    edited, deleted = pages[changes.edited.title], pages[changes.deleted.title]
    # The first version of the edited essay: its response in the first run's WARC.
    first_warc = sorted((db.parent / "warc").glob("*.warc.gz"))[0]
    with open(first_warc, "rb") as fh:
        (first_date,) = [r.rec_headers.get_header("WARC-Date") for r in ArchiveIterator(fh)
                         if r.rec_type == "response"
                         and r.rec_headers.get_header("WARC-Target-URI") == edited["url"]]

    def stamp(iso: str) -> str:
        return "".join(c for c in iso if c.isdigit())[:14]

    for cmd in (["init", "luutru"], ["add", "--unpack-wacz", "luutru", str(wacz)]):
        subprocess.run([str(BIN / "wb-manager"), *cmd], cwd=tmp_path, check=True,
                       capture_output=True, timeout=120)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(BIN / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/luutru"

    def get(ts: str, mode: str, url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"{base}/{ts}{mode}/{url}", timeout=20) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "pywb did not start"
                time.sleep(0.2)
        status, now = get(stamp(edited["ts"]), "id_", edited["url"])
        assert status == 200 and changes.edited.title in now and EDIT_NOTE in now
        status, before = get(stamp(first_date), "id_", edited["url"])
        assert status == 200 and changes.edited.title in before and EDIT_NOTE not in before
        # The removed essay replays from its capture; links in the page stay in the archive.
        status, page = get(stamp(deleted["ts"]), "mp_", deleted["url"])
        assert status == 200 and changes.deleted.paragraphs[0][:60] in page
        assert f'href="/luutru/{stamp(deleted["ts"])}' in page
    finally:
        server.terminate()
        server.wait(timeout=20)
