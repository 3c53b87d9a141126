"""Reading captured pages back fast, for re-extraction: one gzip member, no record framework.

`archive.warc.read_response` reads a record through warcio, whose line-by-line header parsing
is a tenth of a re-extraction's CPU. The records luutru writes have one plain shape (a gzip
member per record; `WARC/1.x` and `HTTP/1.x` headers in ASCII, one per line), so `Reader` parses
that shape directly: it inflates the member, splits the two header blocks and slices the
payload. Whatever is not that shape (another record type, a continuation line, non-ASCII
headers, a wrapped target URI, a short member...) goes to `read_response`, so every record
reads exactly as warcio reads it; tests/test_reextract_speed.py compares the two on every
record of a crawl.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders

from archive.warc import CapturedResponse, _decode, read_response

_CHUNK = 1 << 16
_WARC_LINES = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")
_HTTP_LINES = (b"HTTP/1.0 ", b"HTTP/1.1 ")


def _headers(block: bytes) -> list[tuple[str, str]] | None:
    """`Name: value` lines as warcio reads them (name and value stripped), or None when the
    block has a shape only warcio's parser handles (non-ASCII, a continuation, no colon)."""
    if not block.isascii():
        return None
    out: list[tuple[str, str]] = []
    for line in block.decode("ascii").split("\r\n"):
        if not line or line[0] in " \t" or "\n" in line or "\r" in line:
            return None
        name, colon, value = line.rstrip().partition(":")
        if not colon:
            return None
        out.append((name.rstrip(" \t"), value.lstrip()))
    return out


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    lower = name.lower()
    return next((v for n, v in headers if n.lower() == lower), None)


def parse_member(data: bytes) -> CapturedResponse | None:
    """The response record in an inflated gzip member, or None when its shape is not the
    plain one (the caller then reads it with warcio)."""
    if not data.startswith(_WARC_LINES):
        return None
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    warc = _headers(data[10:head_end])
    if warc is None or _first(warc, "WARC-Type") != "response":
        return None
    url, length = _first(warc, "WARC-Target-URI"), _first(warc, "Content-Length")
    if (not url or not url.startswith(("http:", "https:")) or " " in url
            or not length or not length.isdigit()):
        return None
    start = head_end + 4
    block = data[start: start + int(length)]
    if len(block) != int(length) or not block.startswith(_HTTP_LINES):
        return None
    http_end = block.find(b"\r\n\r\n")
    status_end = block.find(b"\r\n")
    if http_end < 0:
        return None
    code = block[9:status_end].split(b" ", 1)[0]
    http = _headers(block[status_end + 2: http_end]) if status_end < http_end else []
    if http is None or not (len(code) == 3 and code.isdigit()):
        return None
    raw = block[http_end + 4:]
    status_line = block[9:status_end].decode("ascii").strip()
    body = _decode(raw, StatusAndHeaders(status_line, http, protocol=block[:8].decode("ascii")))
    return CapturedResponse(
        url=url, status=int(code), headers=http, body=body, raw_body=raw,
        record_id=_first(warc, "WARC-Record-ID") or "",
        digest=_first(warc, "WARC-Payload-Digest") or "",
        date=_first(warc, "WARC-Date") or "",
    )


class Reader:
    """Response records read by (file, offset), the files kept open between reads."""

    def __init__(self) -> None:
        self._files: dict[Path, BinaryIO] = {}

    def _inflate(self, path: Path, offset: int) -> bytes | None:
        handle = self._files.get(path)
        if handle is None:
            handle = self._files[path] = open(path, "rb")  # closed by close()
        handle.seek(offset)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # one gzip member
        parts: list[bytes] = []
        try:
            while not inflater.eof:
                chunk = handle.read(_CHUNK)
                if not chunk:
                    return None
                parts.append(inflater.decompress(chunk))
        except zlib.error:
            return None
        return b"".join(parts)

    def read(self, path: Path, offset: int) -> CapturedResponse:
        """What `archive.warc.read_response(path, offset)` returns (or raises)."""
        try:
            data = self._inflate(path, offset)
        except OSError:
            data = None
        found = parse_member(data) if data is not None else None
        return found if found is not None else read_response(path, offset)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
