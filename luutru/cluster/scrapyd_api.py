"""A small client for Scrapyd's JSON API: what `crawl --all --scrapyd` asks each node."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Seconds to wait for a node's answer. A loaded node answers listjobs in milliseconds; a node
# that takes longer than this is treated as unreachable for that poll.
DEFAULT_TIMEOUT = 10.0
CHUNK = 1 << 16


class ScrapydError(Exception):
    """A node answered, but with an error (Scrapyd's {"status": "error"}, HTTP 4xx/5xx,
    something that is not JSON). The message is one line and names the node."""


class ScrapydUnreachable(ScrapydError):
    """The node did not answer: connection refused, reset, DNS failure or timeout."""


class NotFound(ScrapydError):
    """The node answered 404 for a file (a job that finished without writing its shard)."""


class FixityError(ScrapydError):
    """A downloaded file does not match the size or sha256 its manifest gives."""


@dataclass(frozen=True)
class Download:
    """One file fetched from a node: where it went, its size and sha256."""

    path: Path
    size: int
    sha256: str


def _one_line(text: object, limit: int = 200) -> str:
    """Any message (an exception, a node's JSON "message") as one short line for a log."""
    return " ".join(str(text).split())[:limit]


class ScrapydNode:
    """One Scrapyd server (`http://host:6800`): its JSON API and its `/items/` files.

    Every call raises `ScrapydUnreachable` when the node does not answer and `ScrapydError`
    when it answers with an error; nothing is retried here (the orchestrator decides).
    """

    def __init__(self, url: str, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not url.startswith(("http://", "https://")):
            url = "http://" + url
        parts = urllib.parse.urlsplit(url)
        self.auth: str | None = None
        if parts.username is not None:  # http://user:password@host:6800 (scrapyd.conf auth)
            token = f"{urllib.parse.unquote(parts.username)}:" \
                    f"{urllib.parse.unquote(parts.password or '')}"
            self.auth = "Basic " + base64.b64encode(token.encode()).decode()
            parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        self.url = urllib.parse.urlunsplit(parts).rstrip("/")  # never shows the password
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ScrapydNode({self.url!r})"

    # -- transport ---------------------------------------------------------------------

    def _open(self, path: str, data: bytes | None = None) -> Any:
        url = f"{self.url}/{path.lstrip('/')}"
        request = urllib.request.Request(url, data=data)
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise NotFound(f"{self.url}: {path}: 404 not found") from exc
            raise ScrapydError(f"{self.url}: {path}: HTTP {exc.code} {exc.reason}") from exc
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise ScrapydUnreachable(f"{self.url} is unreachable ({_one_line(reason)})") from exc

    def _call(self, endpoint: str, params: list[tuple[str, str]] | None = None,
              post: bool = False) -> dict[str, Any]:
        query = urllib.parse.urlencode(params or [])
        if post:
            response = self._open(endpoint, data=query.encode())
        else:
            response = self._open(f"{endpoint}?{query}" if query else endpoint)
        body = self._read(response)
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ScrapydError(f"{self.url}: {endpoint} did not answer JSON "
                               f"({_one_line(body.decode('utf-8', 'replace'), 80)!r}): "
                               "is this a Scrapyd server?") from exc
        if not isinstance(data, dict) or data.get("status") != "ok":
            message = data.get("message", data) if isinstance(data, dict) else data
            raise ScrapydError(f"{self.url}: {endpoint}: {_one_line(message)}")
        return data

    # -- the JSON API ------------------------------------------------------------------

    def daemonstatus(self) -> dict[str, Any]:
        """{"pending": n, "running": n, "finished": n, "node_name": ...}."""
        return self._call("daemonstatus.json")

    def listprojects(self) -> list[str]:
        return list(self._call("listprojects.json")["projects"])

    def listversions(self, project: str) -> list[str]:
        return list(self._call("listversions.json", [("project", project)])["versions"])

    def listspiders(self, project: str) -> list[str]:
        return list(self._call("listspiders.json", [("project", project)])["spiders"])

    def schedule(self, project: str, spider: str, *, args: dict[str, str] | None = None,
                 settings: dict[str, str] | None = None, jobid: str | None = None,
                 priority: float | None = None) -> str:
        """Queue one job; spider arguments and `setting=NAME=VALUE` pairs as `scrapy crawl
        -a`/`-s` would take them. Returns the job id."""
        params = [("project", project), ("spider", spider)]
        if jobid:
            params.append(("jobid", jobid))
        if priority is not None:
            params.append(("priority", str(priority)))
        params += [("setting", f"{k}={v}") for k, v in (settings or {}).items()]
        for key, value in (args or {}).items():
            if key in ("project", "spider", "jobid", "priority", "setting", "_version"):
                raise ValueError(f"spider argument {key!r} clashes with a schedule.json field")
            params.append((key, str(value)))
        return str(self._call("schedule.json", params, post=True)["jobid"])

    def listjobs(self, project: str) -> dict[str, list[dict[str, Any]]]:
        """Jobs of `project` by state: {"pending": [...], "running": [...], "finished": [...]}."""
        data = self._call("listjobs.json", [("project", project)])
        return {state: list(data.get(state, [])) for state in ("pending", "running", "finished")}

    def cancel(self, project: str, job: str) -> str | None:
        """Cancel a pending or running job; its previous state (None if it was unknown)."""
        data = self._call("cancel.json", [("project", project), ("job", job)], post=True)
        prev = data.get("prevstate")
        return str(prev) if prev is not None else None

    # -- files a job wrote (items_dir, served under /items/) ----------------------------

    def _read(self, response: Any) -> bytes:
        """The whole body; a connection that breaks while reading is a node unreachable."""
        try:
            with response:
                return bytes(response.read())
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            raise ScrapydUnreachable(f"{self.url} is unreachable ({_one_line(exc)})") from exc

    def items_url(self, *parts: str) -> str:
        return "items/" + "/".join(urllib.parse.quote(p) for p in parts)

    def read_json(self, path: str) -> Any:
        """A small JSON file under the node's web root (a shard's manifest.json)."""
        body = self._read(self._open(path))
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ScrapydError(f"{self.url}: {path} is not JSON") from exc

    def download(self, path: str, dest: Path, *, size: int | None = None,
                 sha256: str | None = None) -> Download:
        """Stream `path` into `dest`, hashing as it goes; `FixityError` (and no file left
        behind) when the size or sha256 differ from what the manifest promised."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        digest = hashlib.sha256()
        written = 0
        response = self._open(path)
        try:
            with response, part.open("wb") as out:
                while chunk := response.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    written += len(chunk)
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            part.unlink(missing_ok=True)
            raise ScrapydUnreachable(f"{self.url} is unreachable while sending {path} "
                                     f"({_one_line(exc)})") from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        got = digest.hexdigest()
        if size is not None and written != size:
            part.unlink(missing_ok=True)
            raise FixityError(f"{self.url}: {path}: {written} bytes, the manifest says {size}")
        if sha256 is not None and got != sha256.lower():
            part.unlink(missing_ok=True)
            raise FixityError(f"{self.url}: {path}: sha256 {got[:12]}…, the manifest says "
                              f"{sha256[:12]}…")
        part.replace(dest)
        return Download(dest, written, got)
