"""A stdlib HTTP server for a replica site, behaving like Apache + Drupal 7 with clean URLs.

Replicas of the other CMS families bring their own router (`site.route(target)`, returning
status, content type, body and extra headers); the server then only does HTTP. For the Bến Tre
replica it routes as Drupal 7 does:

- The request path is percent-decoded (UTF-8, upper- or lower-case hex) before routing, and
  slashes at either end are trimmed (Drupal's request_path()).
- Aliases, `/node/<nid>`, `/taxonomy/term/<tid>`, the section listings with a 0-based `?page=N`
  pager (past the end: the view's empty text, 200), `/robots.txt`, and a Drupal-like 404 page.
- GET and HEAD; `Content-Type: text/html; charset=utf-8`; HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote

from replicas import drupal7
from replicas.bentre import SECTION_TIDS, VN_TZ, Site
from replicas.schools import ReplicaSite

_NODE_RE = re.compile(r"node/(\d+)")
_TERM_RE = re.compile(r"taxonomy/term/(\d+)")
_INT_RE = re.compile(r"\s*(-?\d+)")


def _page_param(query: str) -> int:
    """PHP-like (int) of the first element of ?page=a,b (Drupal pager elements)."""
    values = parse_qs(query).get("page")
    if not values:
        return 0
    m = _INT_RE.match(values[0].split(",")[0])
    return max(0, int(m.group(1))) if m else 0


class _Handler(BaseHTTPRequestHandler):
    server_version = "Apache/2.4.6 (CentOS) PHP/5.4.16"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 15  # idle keep-alive connections end on their own
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK of the headers (40 ms on Linux), a stall on every keep-alive
    # response that real servers (one write, or TCP_NODELAY) do not have.
    disable_nagle_algorithm = True
    replica: ReplicaServer  # set on the subclass

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        self.replica.requests.append((self.command, self.path))
        try:
            status, ctype, body, extra = self.replica.route(self.path)
        except Exception:  # a replica bug must not kill the crawl under test
            status, ctype, extra = 500, "text/plain; charset=utf-8", {}
            body = b"Internal Server Error"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class ReplicaServer:
    """Serves `site` on http://host:port from a daemon thread. Use as a context manager.

    `site` is the Bến Tre `Site`, or any replica object with a `route(target)` method.
    """

    def __init__(self, site: Site | ReplicaSite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.site = site
        self.host = host
        self.port = port
        self.requests: list[tuple[str, str]] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # A replica with its own router (every CMS-family replica) is served through it; the
        # Bến Tre Drupal 7 replica is routed here.
        self._site_route = getattr(site, "route", None)
        self._tids = {tid: name for name, tid in SECTION_TIDS.items()}
        self._listing_paths = (
            {} if self._site_route else
            {p.strip("/").lower(): name for name, p in site.sections.items()}
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ReplicaServer:
        if self._httpd is not None:
            return self
        handler = type("ReplicaHandler", (_Handler,), {"replica": self})
        httpd = ThreadingHTTPServer((self.host, self.port), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"replica-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing ---------------------------------------------------------------------------

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        """Every replica's pages, and a placeholder for the images its article bodies show
        (the crawl downloads them as attachments), whatever folder the CMS keeps them in."""
        answer = self._site_route(target) if self._site_route else self._drupal7(target)
        path = target.partition("?")[0].lower()
        if answer[0] == 404 and path.endswith((".jpg", ".jpeg")):
            return 200, "image/jpeg", PLACEHOLDER_JPEG, {}
        return answer

    def _drupal7(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        raw_path, _, query = target.partition("?")
        raw_path = raw_path.partition("#")[0]
        if raw_path.startswith(("http://", "https://")):  # absolute-form request target
            raw_path = "/" + raw_path.split("/", 3)[3] if raw_path.count("/") >= 3 else "/"
        if not raw_path.isascii():  # raw UTF-8 bytes in the request line (read as Latin-1)
            try:
                raw_path = raw_path.encode("latin-1").decode("utf-8")
            except UnicodeError:
                pass
        path = unquote(raw_path, encoding="utf-8", errors="replace").strip("/")
        now = dt.datetime.now(VN_TZ)
        html = "text/html; charset=utf-8"
        site = self.site
        if path == "robots.txt":
            return 200, "text/plain; charset=utf-8", drupal7.ROBOTS_TXT.encode(), {}
        if path in ("", "node"):
            return 200, html, drupal7.render_front(site, now).encode(), _no_cache()
        section = self._listing_paths.get(path.lower())
        if section is None:
            m = _TERM_RE.fullmatch(path)
            if m:
                section = self._tids.get(int(m.group(1)))
        if section is not None:
            page = _page_param(query)
            body = drupal7.render_listing(site, section, page, now)
            return 200, html, body.encode(), _no_cache()
        m = _NODE_RE.fullmatch(path)
        nid = int(m.group(1)) if m else site.lookup(path)
        if nid is not None and nid in site.nodes:
            body = drupal7.render_node(site, nid, now)
            extra = _no_cache()
            extra["Link"] = (f'<{drupal7.url(site.nodes[nid].path)}>; rel="canonical",'
                             f'</node/{nid}>; rel="shortlink"')
            return 200, html, body.encode(), extra
        return 404, html, drupal7.render_404(site, path, now).encode(), _no_cache()


# Images in article bodies: the same small JPEG for every path (the crawl keeps attachments).
PLACEHOLDER_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9"
)


def _no_cache() -> dict[str, str]:
    return {
        "X-Powered-By": "PHP/5.4.16",
        "Expires": "Sun, 19 Nov 1978 05:00:00 GMT",
        "Cache-Control": "no-cache, must-revalidate",
        "X-Content-Type-Options": "nosniff",
        "Content-Language": "vi",
        "X-Generator": "Drupal 7 (http://drupal.org)",
    }
