"""Attachments: the files an article links to (PDF, DOC, DOCX, XLS, body images), kept by sha256.

`AttachmentPipeline` runs after ArchivePipeline (which puts `article_id` on the item) and
downloads each of `item.attachment_urls` through Scrapy's engine (so robots.txt, the off-site
rule, retries, politeness and the WARC capture all apply), refusing files larger than
LUUTRU_ATTACHMENT_MAXSIZE (default 20 MiB). Each file is stored once under
`<db folder>/attachments/<2 hex>/<sha256><ext>`, typed by its bytes (never the extension), named
safely after its URL, linked to its article, and its text (PDF, DOCX) put in `attachments_fts`.

Every attachment URL fetched gets one fetch_log row (kind `attachment`): `stored` (new file),
`unchanged` (a file already kept), `skipped` (`too_large`, `robots_txt`, `offsite`) or `failed`.
A URL already linked in an earlier run is linked again without a download.

The functions below the pipeline (`sniff_mime`, `safe_file_name`, `extract_text`,
`store_attachment`) are plain and testable without Scrapy's engine.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from archive.store import Archive, utc_now
from pipelines.text import clean_text, fold

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
    text: str | None = None,
) -> tuple[str, str]:
    """Keep one downloaded file and link it to its article; return (outcome, sha256) with
    outcome `new` (file first kept now) or `known` (same bytes kept before).

    The file is written before its row, so a row never points at a missing file. `text` may be
    given when already extracted (off the reactor thread); otherwise it is extracted here.
    """
    sha = hashlib.sha256(data).hexdigest()
    known = archive.conn.execute(
        "SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)
    ).fetchone() is not None
    if not known:
        mime = sniff_mime(data)
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
    return True


# -- the Scrapy pipeline ---------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    from twisted.python.failure import Failure

    from scrapers.platforms.base import failure_reason

    message = str(exc)
    if "offsite" in message.lower():
        return "offsite"
    return failure_reason(Failure(exc))[0]


class AttachmentPipeline:
    """Download, sniff, store and index the attachments of stored articles (see module doc)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = Path(settings.get("LUUTRU_DB", "luutru.db"))
        self.db_folder = self.db_path.resolve().parent
        self.maxsize = settings.getint("LUUTRU_ATTACHMENT_MAXSIZE", DEFAULT_MAXSIZE)
        self.enabled = settings.getbool("LUUTRU_ATTACHMENTS", True)
        self._own: Archive | None = None
        self.seen: set[str] = set()  # attachment URLs handled this run
        self._inflight: dict[str, list[Any]] = {}  # URL -> Deferreds of items waiting for it

    @classmethod
    def from_crawler(cls, crawler: Any) -> AttachmentPipeline:
        pipe = cls(crawler)
        from scrapy import signals

        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    def _archive(self) -> Archive:
        """ArchivePipeline's writer when it runs in this crawl (one connection, no lock
        contention between two writers in one thread), else an own one."""
        engine = getattr(self.crawler, "engine", None)
        scraper = getattr(engine, "scraper", None)
        itemproc = getattr(scraper, "itemproc", None)
        for pipe in getattr(itemproc, "middlewares", ()):
            # The archive writer process's stand-in (pipelines/writer_attachments.py).
            remote = getattr(pipe, "attachment_archive", None)
            if pipe is not self and remote is not None and (found := remote()) is not None:
                return found  # type: ignore[no-any-return]
            archive = getattr(pipe, "archive", None)
            if pipe is not self and isinstance(archive, Archive):
                return archive
        if self._own is None:
            self._own = Archive(self.db_path)
        return self._own

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._own is not None:
            self._own.close()
            self._own = None

    def _log(self, url: str, outcome: str, reason: str | None = None,
             http_status: int | None = None, article_id: int | None = None) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"luutru/attachments/{reason or outcome}")
        run_id = stats.get_value("luutru/run_id") if stats is not None else None
        self._archive().log_fetch(run_id, url, "attachment", outcome, reason=reason,
                                  http_status=http_status, article_id=article_id)

    async def process_item(self, item: Any) -> Any:
        from scrapers.items import ArticleItem

        if not self.enabled or not isinstance(item, ArticleItem) or not item.attachment_urls:
            return item
        article_id = getattr(item, "article_id", None)
        if article_id is None:
            return item
        labels = getattr(item, "attachment_labels", None) or {}
        for url in dict.fromkeys(item.attachment_urls):
            if not url.startswith(("http://", "https://")):
                continue
            try:
                await self._one(int(article_id), url, labels.get(url, ""))
            except Exception:  # one broken attachment never loses the article
                logger.exception("attachment %s of article #%s", url, article_id)
                if url not in self.seen:
                    self.seen.add(url)
                    self._log(url, "failed", "error", article_id=int(article_id))
        return item

    async def _one(self, article_id: int, url: str, label: str) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import Deferred

        archive = self._archive()
        if link_known(archive, self.db_folder, article_id, url, label):
            return
        if url in self._inflight:  # another article's download of the same file: wait for it
            waiter: Deferred[None] = Deferred()
            self._inflight[url].append(waiter)
            await maybe_deferred_to_future(waiter)
            link_known(archive, self.db_folder, article_id, url, label)
            return
        if url in self.seen:  # failed or refused already this run
            return
        self.seen.add(url)
        self._inflight[url] = []
        try:
            await self._download(archive, article_id, url, label)
        finally:
            for waiter in self._inflight.pop(url, []):
                waiter.callback(None)

    async def _download(self, archive: Archive, article_id: int, url: str, label: str) -> None:
        from scrapy import Request
        from scrapy.exceptions import IgnoreRequest
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        request = Request(
            url,
            meta={"kind": "attachment", "download_maxsize": self.maxsize,
                  "download_warnsize": 0},
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except IgnoreRequest as exc:
            self._log(url, "skipped", _reason(exc), article_id=article_id)
            return
        except Exception as exc:
            reason = _reason(exc)
            outcome = "skipped" if reason == "too_large" else "failed"
            self._log(url, outcome, reason, article_id=article_id)
            return
        if response.status != 200:
            self._log(url, "failed", f"http_{response.status}", response.status, article_id)
            return
        data = response.body
        if len(data) > self.maxsize:
            self._log(url, "skipped", "too_large", response.status, article_id)
            return
        mime = sniff_mime(data)
        text = await maybe_deferred_to_future(deferToThread(extract_text, data, mime))
        disposition = (response.headers.get("Content-Disposition") or b"").decode("latin-1")
        outcome, _ = await self._store(
            archive, article_id=article_id, url=url, data=data, label=label,
            content_disposition=disposition, text=text,
        )
        self._log(url, "stored" if outcome == "new" else "unchanged", None, 200, article_id)

    async def _store(self, archive: Archive, **fields: Any) -> tuple[str, str]:
        """Keep one downloaded file (`store_attachment`); the crawl's writer process does it
        in the order of its other writes (pipelines/writer_attachments.py)."""
        remote = getattr(archive, "store_attachment", None)
        if remote is not None:
            return await remote(fields)  # type: ignore[no-any-return]
        return store_attachment(archive, self.db_folder, **fields)
