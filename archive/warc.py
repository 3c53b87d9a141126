"""WARC files: every HTTP exchange of a crawl, as received, in gzip WARC/1.1 files (warcio).

One file per run under `<db folder>/warc/<site>-<UTC timestamp>.warc.gz`; each record is its own
gzip member, so a record can be read back from its offset alone. A response record is written
first, then its request record (`WARC-Concurrent-To` the response). Digests are sha256 (base32,
`sha256:...`), checked by `warcio check`. Closing a file adds its whole-file sha256 to
`warc/SHA256SUMS`, which `luutru verify` compares.

No Scrapy here: the capture middleware (`pipelines/capture.py`) turns Scrapy's objects into the
plain values `WarcWriter.write_exchange` takes.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:  # the store imports sqlite_utils: readers of WARC files need not
    from archive.store import Archive

WARC_DIR = "warc"
SUMS_FILE = "SHA256SUMS"
# Chunked transfer coding is undone by the HTTP client before the bytes are seen; the header is
# kept under this name so no reader tries to de-chunk the stored body again.
_TE_RENAMED = "X-Luutru-Orig-Transfer-Encoding"


@dataclass(frozen=True)
class WarcRef:
    """Where one response is stored: the file (relative to the db folder), the offset of its
    gzip member, its record id and payload digest."""

    warc_file: str
    warc_offset: int
    warc_record_id: str
    warc_digest: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CapturedResponse:
    """A response record read back from a WARC file."""

    url: str
    status: int
    headers: list[tuple[str, str]]  # as stored (Content-Encoding kept)
    body: bytes  # content-decoded (gzip/deflate/br undone), ready for parsing
    raw_body: bytes  # the payload as received
    record_id: str
    digest: str
    date: str  # WARC-Date, UTC ISO


def _sha256_digester() -> Digester:
    """warcio's record digests in sha256 instead of its sha1 (`_create_digester` is the hook
    warcio's record builder calls for each record)."""
    return Digester("sha256")


def utc_stamp(when: datetime | None = None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def warc_path_for(db_path: str | Path, site: str, when: datetime | None = None) -> Path:
    """A new file name `<db folder>/warc/<site>-<UTC timestamp>.warc.gz`, never an existing one."""
    folder = Path(db_path).resolve().parent / WARC_DIR
    folder.mkdir(parents=True, exist_ok=True)
    safe_site = "".join(c if c.isalnum() or c in "-_" else "_" for c in site) or "site"
    stem = f"{safe_site}-{utc_stamp(when)}"
    path, n = folder / f"{stem}.warc.gz", 1
    while path.exists():
        path, n = folder / f"{stem}-{n}.warc.gz", n + 1
    return path


def payload_digest(data: bytes) -> str:
    """The digest form used in the records: `sha256:` + base32."""
    digester = Digester("sha256")
    digester.update(data)
    return str(digester)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _headers(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for name, value in pairs:
        if name.lower() == "transfer-encoding":
            name = _TE_RENAMED
        out.append((name, value.replace("\r", " ").replace("\n", " ")))
    return out


class WarcWriter:
    """Append request/response pairs to one gzip WARC file; flushed after every record."""

    def __init__(self, path: str | Path, *, rel_name: str | None = None,
                 info: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self.rel_name = rel_name or f"{WARC_DIR}/{self.path.name}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: io.BufferedWriter | None = open(self.path, "xb")
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        self._writer._create_digester = _sha256_digester
        self.records = 0
        fields = {"software": "luutru (warcio)", "format": "WARC File Format 1.1",
                  "conformsTo": "https://iipc.github.io/warc-specifications/"}
        fields.update(info or {})
        self._write(self._writer.create_warcinfo_record(self.path.name, fields))

    @property
    def closed(self) -> bool:
        return self._fh is None

    def _write(self, record: Any) -> int:
        assert self._fh is not None, "WARC file is closed"
        offset = self._fh.tell()
        self._writer.write_record(record)
        self._fh.flush()
        self.records += 1
        return offset

    def write_exchange(
        self,
        *,
        url: str,
        status: int,
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        method: str = "GET",
        request_headers: Iterable[tuple[str, str]] = (),
        request_body: bytes = b"",
        protocol: str = "HTTP/1.1",
        ip_address: str | None = None,
    ) -> WarcRef:
        """Write the response then its request; return where the response record is."""
        protocol = protocol if protocol.startswith("HTTP/") else "HTTP/1.1"
        resp_http = StatusAndHeaders(
            f"{status} {_reason(status)}", _headers(response_headers), protocol=protocol
        )
        warc_headers = {"WARC-IP-Address": ip_address} if ip_address else {}
        response = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=resp_http, warc_headers_dict=warc_headers,
        )
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = _headers(request_headers)
        if not any(n.lower() == "host" for n, _ in req_headers):
            req_headers.insert(0, ("Host", parts.netloc))
        req_http = StatusAndHeaders(f"{method} {target} {protocol}", req_headers, protocol="")
        request = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(request_body), length=len(request_body),
            http_headers=req_http,
        )
        # warcio's pair writer: the request gets the response's date and Concurrent-To its id.
        request.rec_headers.replace_header(
            "WARC-Date", response.rec_headers.get_header("WARC-Date")
        )
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
        offset = self._write(response)
        self._write(request)
        return WarcRef(
            warc_file=self.rel_name,
            warc_offset=offset,
            warc_record_id=response.rec_headers.get_header("WARC-Record-ID"),
            warc_digest=response.rec_headers.get_header("WARC-Payload-Digest"),
        )

    def close(self) -> str | None:
        """Close the file and record its sha256 in `SHA256SUMS`; return the hex digest."""
        if self._fh is None:
            return None
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        digest = file_sha256(self.path)
        with open(self.path.parent / SUMS_FILE, "a", encoding="utf-8") as sums:
            sums.write(f"{digest}  {self.path.name}\n")
        return digest

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_sums(folder: str | Path) -> dict[str, str]:
    """`SHA256SUMS` of a warc folder: file name -> hex digest (the last entry wins)."""
    path = Path(folder) / SUMS_FILE
    sums: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                sums[name.strip()] = digest.strip()
    return sums


def _decode(raw: bytes, http: StatusAndHeaders | None) -> bytes:
    """Undo the content coding (gzip, deflate, br) with warcio's readers; raw if it fails."""
    encoding = (http.get_header("Content-Encoding") or "").strip().lower() if http else ""
    if not encoding or encoding == "identity":
        return raw
    if encoding not in BufferedReader.get_supported_decompressors():
        return raw
    try:
        decoded: bytes = BufferedReader(io.BytesIO(raw), decomp_type=encoding).read()
        return decoded
    except Exception:  # a body that claims a coding it does not have
        return raw


def _record_to_capture(record: Any) -> CapturedResponse:
    http = record.http_headers
    raw = record.raw_stream.read()
    headers = [(n, v) for n, v in http.headers] if http else []
    return CapturedResponse(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        status=int(http.get_statuscode()) if http else 0,
        headers=headers,
        body=_decode(raw, http),
        raw_body=raw,
        record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
        digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
        date=record.rec_headers.get_header("WARC-Date") or "",
    )


def read_response(path: str | Path, offset: int) -> CapturedResponse:
    """The response record whose gzip member starts at `offset`."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        try:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    raise ValueError(
                        f"{path}@{offset} is a {record.rec_type} record, not a response")
                return _record_to_capture(record)
        except ValueError:
            raise
        except Exception as exc:  # ArchiveLoadFailed, zlib.error, EOFError...
            raise ValueError(f"no readable WARC record at {path}@{offset}: {exc}") from exc
    raise ValueError(f"no WARC record at {path}@{offset}")


@dataclass
class RecordCheck:
    offset: int
    record_id: str
    rec_type: str
    digest: str
    problems: list[str]


def check_file(path: str | Path) -> Iterator[RecordCheck]:
    """Read every record, recomputing block and payload digests (as `warcio check` does).

    A broken gzip member or a truncated tail raises `ValueError` after the good records.
    """
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests=True)
        try:
            for record in it:
                while record.raw_stream.read(1 << 20):
                    pass
                checker = record.digest_checker
                yield RecordCheck(
                    offset=it.get_record_offset(),
                    record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
                    rec_type=record.rec_type or "",
                    digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
                    problems=list(checker.problems) if checker.passed is False else [],
                )
        except Exception as exc:  # zlib.error, EOFError, ArchiveLoadFailed...
            raise ValueError(f"unreadable after {it.offset} bytes: {exc}") from exc


# -- links from the archive ------------------------------------------------------------------


def link_article_capture(archive: Archive, article_id: int, ref: dict[str, Any] | None) -> None:
    """Point an article row at the WARC record of the page it was (last) built from; the
    write joins the archive's current transaction if any."""
    if not ref:
        return
    with archive.transaction():
        archive.conn.execute(
            "UPDATE articles SET warc_file = ?, warc_offset = ?, warc_record_id = ?, "
            "warc_digest = ? WHERE id = ?",
            (ref["warc_file"], int(ref["warc_offset"]), ref["warc_record_id"],
             ref["warc_digest"], article_id),
        )
