"""Attached files without Scrapy: typed by their bytes, named safely, read for text, kept by sha256.

Plain functions, used by the crawl's archive writer process (pipelines/writer_attachments.py)
and by `AttachmentPipeline` (pipelines/attachments.py) when it writes the archive itself:
`sniff_mime` (magic numbers, never the name), `safe_file_name` (Content-Disposition or URL, ASCII),
`extract_text` (PDF, DOCX), `store_attachment` (file under `<db folder>/attachments/<2 hex>/
<sha256><ext>` first, then its rows), `link_known` (a file already kept for a URL), and the
`attachment_wanted` rows that let a later run fetch the files a stopped crawl did not.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import sqlite3
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from archive.folding import fold
from archive.store import Archive, utc_now
from pipelines.text import clean_text

logger = logging.getLogger(__name__)

DEFAULT_MAXSIZE = 20 * 1024 * 1024
ATTACHMENTS_DIR = "attachments"
MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 1000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Extension written for a sniffed type (file names for people, and the stored path).
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/x-ole-storage": ".ole",
    DOCX_MIME: ".docx",
    XLSX_MIME: ".xlsx",
    PPTX_MIME: ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/zip": ".zip",
    "application/x-rar-compressed": ".rar",
    "application/vnd.rar": ".rar",
    "application/x-7z-compressed": ".7z",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "text/html": ".html",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/svg+xml": ".svg",
}


# -- sniffing --------------------------------------------------------------------------------


def _ole_kind(data: bytes) -> str:
    """Which Office program wrote an OLE compound file, from its stream names (UTF-16LE)."""
    head = data[: 1 << 20]
    for name, mime in (
        ("WordDocument", "application/msword"),
        ("Workbook", "application/vnd.ms-excel"),
        ("Book", "application/vnd.ms-excel"),
        ("PowerPoint Document", "application/vnd.ms-powerpoint"),
    ):
        if name.encode("utf-16-le") in head:
            return mime
    return "application/x-ole-storage"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                declared = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument"):
                    return declared
            if "word/document.xml" in names:
                return DOCX_MIME
            if "xl/workbook.xml" in names:
                return XLSX_MIME
            if "ppt/presentation.xml" in names:
                return PPTX_MIME
    except (zipfile.BadZipFile, OSError, ValueError):
        pass
    return "application/zip"


_HTML_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b",
    re.IGNORECASE | re.DOTALL,
)


_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_mime(data: bytes) -> str:
    """The MIME type of a file from its bytes alone (magic numbers), never from its name.

    OLE compound files (legacy .doc/.xls/.ppt, `D0 CF 11 E0`) are told apart by their stream
    names; ZIP-based Office/ODF files by their members; HTML saved as `.doc` is `text/html`.
    """
    if not data:
        return "application/octet-stream"
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    if data.lstrip()[:5] == b"%PDF-" or data[:1024].find(b"%PDF-") >= 0:
        return "application/pdf"
    for magic, mime in _IMAGE_MAGIC:  # body images, most files: before puremagic's ~2 ms scan
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    body = data.removeprefix(b"\xef\xbb\xbf")
    if _HTML_START.match(body[:4096]):
        return "text/html"
    try:
        import puremagic

        mime = puremagic.from_string(data[:8192], mime=True)
    except Exception:  # puremagic raises when nothing matches
        mime = ""
    if mime:
        return "image/jpeg" if mime == "image/pjpeg" else mime
    head = body[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not a character cut at the end of the sample
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"


# -- names -----------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CD_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", re.IGNORECASE)
_CD_FILENAME = re.compile(r'filename\s*=\s*"?([^";]+)"?', re.IGNORECASE)


def _ascii(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", s)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode(
        "ascii", "ignore").decode("ascii")


def _name_from_disposition(disposition: str) -> str:
    m = _CD_FILENAME_STAR.search(disposition)
    if m:
        try:
            return unquote(m.group(2).strip(), encoding=m.group(1), errors="replace")
        except LookupError:
            pass
    m = _CD_FILENAME.search(disposition)
    return m.group(1).strip() if m else ""


def safe_file_name(url: str, mime: str = "", content_disposition: str = "",
                   max_len: int = 120) -> str:
    """A file name for people: from Content-Disposition or the URL's last path segment,
    percent-decoded, NFC, Vietnamese letters folded to ASCII, anything else but `A-Za-z0-9._-`
    turned into `-`; no directory part, no leading dot; the extension of the sniffed type."""
    raw = _name_from_disposition(content_disposition) if content_disposition else ""
    if not raw:
        path = urlsplit(url).path
        raw = unquote(path.rstrip("/").rsplit("/", 1)[-1], errors="replace")
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]  # never a directory part
    name = _UNSAFE.sub("-", _ascii(raw))
    name = re.sub(r"-{2,}", "-", name).strip(".-_ ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.strip(".-_") or "attachment"
    wanted = EXTENSIONS.get(mime, "")
    ext = wanted or (f".{ext.lower()}" if ext and len(ext) <= 8 else "")
    if wanted == ".jpg" and name.lower().endswith(".jpeg"):
        ext = ".jpeg"
    stem = stem[: max(1, max_len - len(ext))].rstrip(".-_") or "attachment"
    return stem + ext


# -- text ------------------------------------------------------------------------------------


def extract_text(data: bytes, mime: str) -> str:
    """Plain text of a PDF (pypdf) or DOCX (python-docx), cleaned; "" for other types or on
    any parser error (a broken file is still kept)."""
    try:
        if mime == "application/pdf":
            text = _pdf_text(data)
        elif mime == DOCX_MIME:
            text = _docx_text(data)
        else:
            return ""
    except Exception as exc:  # third-party parsers raise many kinds on broken files
        logger.info("no text from a %s file: %s", mime, exc)
        return ""
    return clean_text(text[:MAX_TEXT_CHARS])


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            reader.decrypt("")
        except Exception:
            return ""
    parts = []
    for i, page in enumerate(reader.pages):
        if i >= MAX_PDF_PAGES:
            break
        parts.append(page.extract_text() or "")
    return "\n\n".join(parts)


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = list(dict.fromkeys(c.text.strip() for c in row.cells))
            parts.append(" | ".join(c for c in cells if c))
    return "\n\n".join(parts)


# -- storage ---------------------------------------------------------------------------------


def attachment_path(sha256: str, mime: str) -> str:
    """Where a file is kept, relative to the db folder."""
    return f"{ATTACHMENTS_DIR}/{sha256[:2]}/{sha256}{EXTENSIONS.get(mime, '.bin')}"


def _write_file(target: Path, data: bytes) -> None:
    if target.exists() and target.stat().st_size == len(data):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_attachment(
    archive: Archive,
    db_folder: str | Path,
    *,
    article_id: int,
    url: str,
    data: bytes,
    label: str = "",
    content_disposition: str = "",
    mime: str = "",
    text: str | None = None,
) -> tuple[str, str]:
    """Keep one downloaded file and link it to its article; return (outcome, sha256) with
    outcome `new` (file first kept now) or `known` (same bytes kept before).

    The file is written before its row, so a row never points at a missing file (and a kept
    file that went missing is written again). `mime` and `text` may be given when already
    known (text extracted off the reactor thread); otherwise they are found here, for a new
    file only.
    """
    sha = hashlib.sha256(data).hexdigest()
    row = archive.conn.execute(
        "SELECT path FROM attachments WHERE sha256 = ?", (sha,)
    ).fetchone()
    known = row is not None
    if known:
        _write_file(Path(db_folder) / row[0], data)  # one stat when the file is there
    else:
        mime = mime or sniff_mime(data)
        rel = attachment_path(sha, mime)
        _write_file(Path(db_folder) / rel, data)
        if text is None:
            text = extract_text(data, mime)
    with archive.transaction():
        if not known:
            cur = archive.conn.execute(
                "INSERT OR IGNORE INTO attachments (sha256, mime, size, path, file_name, "
                "first_seen, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha, mime, len(data), rel, safe_file_name(url, mime, content_disposition),
                 utc_now(), text or None),
            )
            if cur.rowcount == 1 and text:
                archive.conn.execute(
                    "INSERT INTO attachments_fts (rowid, text, text_fold) "
                    "SELECT rowid, ?, ? FROM attachments WHERE sha256 = ?",
                    (text, fold(text), sha),
                )
        archive.conn.execute(
            "INSERT OR REPLACE INTO article_attachments (article_id, url, sha256, label) "
            "VALUES (?, ?, ?, ?)",
            (article_id, url, sha, label or None),
        )
        wanted_done(archive, url, article_id)
    return ("known" if known else "new"), sha


def link_known(archive: Archive, db_folder: str | Path, article_id: int, url: str,
               label: str = "") -> bool:
    """Link an article to a file already kept for this URL (no download); False if none."""
    row = archive.conn.execute(
        "SELECT aa.sha256, a.path FROM article_attachments aa JOIN attachments a "
        "ON a.sha256 = aa.sha256 WHERE aa.url = ? LIMIT 1",
        (url,),
    ).fetchone()
    if row is None or not (Path(db_folder) / row[1]).exists():
        return False
    with archive.transaction():
        archive.conn.execute(
            "INSERT OR IGNORE INTO article_attachments (article_id, url, sha256, label) "
            "VALUES (?, ?, ?, ?)",
            (article_id, url, row[0], label or None),
        )
        wanted_done(archive, url, article_id)
    return True


# -- files wanted, not yet kept: a later run fetches them -------------------------------------
#
# The writer records an article's file URLs in `attachment_wanted` in the article's own
# transaction; a row leaves when its file is kept or linked, or its fetch ends for good. So a
# crawl stopped or killed between an article and its files leaves rows, and the next run of the
# site fetches exactly those (pipelines/attachments.py `spider_opened`).

# Reasons that say nothing about the file itself: the next run tries it again.
_RETRY_REASONS = ("not_fetched", "timeout", "dns", "connection_refused", "connection_lost",
                  "data_loss", "error", "http_5", "http_429", "http_408")


def fetchable(urls: list[str] | tuple[str, ...] | None) -> list[str]:
    """The attachment URLs worth a GET, in order, each once (no `data:`, `mailto:`...)."""
    return [url for url in dict.fromkeys(urls or ()) if url.startswith(("http://", "https://"))]


def settles(outcome: str, reason: str | None) -> bool:
    """Whether a fetch outcome ends a file's wanted state: kept, or refused for good (a 404,
    too large, robots.txt, off-site). A stop, a network failure or a 5xx is tried again."""
    if outcome in ("stored", "unchanged"):
        return True
    return not (reason or "").startswith(_RETRY_REASONS)


def want_files(archive: Archive, article_id: int, files: list[tuple[str, str]]) -> None:
    """Record (url, label) files of an article as wanted, unless already linked to it."""
    now = utc_now()
    archive.conn.executemany(
        "INSERT OR IGNORE INTO attachment_wanted (article_id, url, label, first_seen) "
        "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM article_attachments "
        "WHERE article_id = ? AND url = ?)",
        [(article_id, url, label or None, now, article_id, url) for url, label in files],
    )


def wanted_done(archive: Archive, url: str, article_id: int | None = None) -> None:
    """A wanted file is kept or linked (for one article), or failed for good (for all)."""
    if article_id is None:
        archive.conn.execute("DELETE FROM attachment_wanted WHERE url = ?", (url,))
    else:
        archive.conn.execute("DELETE FROM attachment_wanted WHERE article_id = ? AND url = ?",
                             (article_id, url))


def still_wanted(conn: sqlite3.Connection, site: str) -> list[tuple[int, str, str]]:
    """(article_id, url, label) of the site's files an earlier run did not keep, oldest first."""
    try:
        rows = conn.execute(
            "SELECT w.article_id, w.url, coalesce(w.label, '') FROM attachment_wanted w "
            "JOIN articles a ON a.id = w.article_id WHERE a.site = ? "
            "ORDER BY w.first_seen, w.rowid", (site,)).fetchall()
    except sqlite3.OperationalError as exc:  # an archive older than the table
        logger.info("no wanted attachments: %s", exc)
        return []
    return [(int(a), str(u), str(label)) for a, u, label in rows]
