"""Real Scrapyd servers on 127.0.0.1 for tests, and the project's egg deployed to them.

Usage::

    from tests.scrapyd_server import ScrapydServer, deploy

    with ScrapydServer(tmp_path / "node1") as node:        # a free port, max_proc 2
        version = deploy(node.url)                           # egg built once per session
        job = node.schedule("bentre", base_url=replica.url,  # spider args
                            setting=["DOWNLOAD_DELAY=0"])    # Scrapy settings
        info = node.wait_job(job)                            # listjobs.json until finished
        shard = node.shard_dir("bentre", job)               # its shard (scrapers/shard.py),
        node.shard_url("bentre", job) + "manifest.json"      # ... as Scrapyd serves it
        node.kill()                                          # SIGKILL scrapyd and its jobs

Each server runs `.venv/bin/scrapyd` in its own process group with a generated scrapyd.conf
(eggs, logs, items and dbs dirs under the given folder, poll_interval 0.2); `kill()` kills the
whole group, as when a machine dies, and leaving the `with` block stops whatever is left.

Like a production node, the servers do NOT see the project's editable install: a
sitecustomize.py on their PYTHONPATH removes its import hook, so the jobs (and the writer
processes they start) run the code of the deployed egg only; the dependencies are the venv's.
`ScrapydServer(..., isolate=False)` keeps the editable install visible.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCRAPYD = Path(sys.executable).parent / "scrapyd"
SCRAPYD_DEPLOY = Path(sys.executable).parent / "scrapyd-deploy"
# What scrapyd-deploy needs to build the egg (setup.py reads pyproject.toml; README is named
# there); copied so that its build/ and egg-info folders never land in the working tree.
_EGG_SOURCES = ("scrapy.cfg", "setup.py", "pyproject.toml", "README.md",
                "scrapers", "pipelines", "archive", "replicas")

_SITECUSTOMIZE = '''\
"""Written by tests/scrapyd_server.py: hide the editable install of luutru (its import hook),
so this Scrapyd node runs only the code of the egg deployed to it, as a production node does."""
import sys

sys.meta_path[:] = [f for f in sys.meta_path
                    if "__editable__" not in getattr(f, "__module__", "")]
'''


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the server binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(url: str, endpoint: str, data: dict[str, Any] | None = None,
        timeout: float = 10) -> dict[str, Any]:
    """GET (or POST `data`, list values repeated) a Scrapyd JSON endpoint; the decoded answer.

    Raises AssertionError when Scrapyd answers status "error", so a test shows its message.
    """
    full = urllib.parse.urljoin(url.rstrip("/") + "/", endpoint)
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data, doseq=True).encode()
    with urllib.request.urlopen(full, data=body, timeout=timeout) as response:
        answer = json.loads(response.read())
    if answer.get("status") == "error":
        raise AssertionError(f"scrapyd {endpoint}: {answer.get('message')}")
    return answer


class ScrapydServer:
    """One real `scrapyd` on 127.0.0.1 (module doc). Use as a context manager."""

    def __init__(self, folder: Path, port: int = 0, *, items: bool = True, max_proc: int = 2,
                 isolate: bool = True, env: dict[str, str] | None = None,
                 start_timeout: float = 30) -> None:
        self.folder = Path(folder)
        self.port = port
        self.items = items
        self.max_proc = max_proc
        self.isolate = isolate
        self.env = env or {}
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.eggs_dir = self.folder / "eggs"
        self.logs_dir = self.folder / "logs"
        self.items_dir = self.folder / "items"
        self.dbs_dir = self.folder / "dbs"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    # -- life cycle ----------------------------------------------------------------------------

    def _write_conf(self) -> None:
        for folder in (self.eggs_dir, self.logs_dir, self.items_dir, self.dbs_dir):
            folder.mkdir(parents=True, exist_ok=True)
        lines = ["[scrapyd]", "bind_address = 127.0.0.1", f"http_port = {self.port}",
                 f"eggs_dir = {self.eggs_dir}", f"logs_dir = {self.logs_dir}",
                 f"items_dir = {self.items_dir if self.items else ''}",
                 f"dbs_dir = {self.dbs_dir}", f"max_proc = {self.max_proc}",
                 "poll_interval = 0.2", "jobs_to_keep = 100", "finished_to_keep = 100"]
        (self.folder / "scrapyd.conf").write_text("\n".join(lines) + "\n", "utf-8")

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SCRAPY_", "SCRAPYD_", "PYTEST_"))}
        env.pop("PYTHONPATH", None)
        if self.isolate:
            site = self.folder / "site"
            site.mkdir(exist_ok=True)
            (site / "sitecustomize.py").write_text(_SITECUSTOMIZE, "utf-8")
            env["PYTHONPATH"] = str(site)
        env.update(self.env)
        return env

    def start(self) -> ScrapydServer:
        """Start scrapyd (a few tries if the chosen port was taken meanwhile); wait until
        daemonstatus.json answers."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fixed = self.port != 0
        for _attempt in range(1 if fixed else 3):
            if not fixed:
                self.port = free_port()
            self._write_conf()
            log = open(self.folder / "scrapyd.out", "ab")  # the child keeps its own copy
            # cwd holds scrapyd.conf and no scrapy.cfg: jobs must not find the source tree.
            self.proc = subprocess.Popen(
                [str(SCRAPYD)], cwd=self.folder, env=self._environment(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            deadline = time.monotonic() + self.start_timeout
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    api(self.url, "daemonstatus.json", timeout=2)
                    return self
                except (OSError, ValueError):
                    time.sleep(0.1)
            self.stop()
        out = (self.folder / "scrapyd.out").read_text("utf-8", "replace")[-2000:]
        raise RuntimeError(f"scrapyd did not start on port {self.port}:\n{out}")

    def kill(self) -> None:
        """SIGKILL scrapyd and every job process it started (its process group): a dead node."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop scrapyd and its jobs (SIGTERM to the group, SIGKILL after 5 s)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            pass
        self.kill()  # what is left of the group (jobs outlive a stopped scrapyd)
        self.proc = None

    def __enter__(self) -> ScrapydServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- API -----------------------------------------------------------------------------------

    def api(self, endpoint: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        return api(self.url, endpoint, data)

    def schedule(self, spider: str, project: str = "luutru", *,
                 setting: list[str] | None = None, **spider_args: str) -> str:
        """schedule.json: `setting` as NAME=VALUE strings, keyword arguments as spider
        arguments; returns the job id."""
        data: dict[str, Any] = {"project": project, "spider": spider, **spider_args}
        if setting:
            data["setting"] = setting
        return str(self.api("schedule.json", data)["jobid"])

    def job_state(self, job: str, project: str = "luutru") -> tuple[str, dict[str, Any]]:
        """("pending" | "running" | "finished" | "unknown", the job's listjobs.json entry)."""
        jobs = self.api(f"listjobs.json?project={project}")
        for state in ("pending", "running", "finished"):
            for entry in jobs.get(state, []):
                if entry.get("id") == job:
                    return state, entry
        return "unknown", {}

    def wait_job(self, job: str, project: str = "luutru", timeout: float = 120) -> dict[str, Any]:
        """Poll listjobs.json until `job` is finished; its entry. AssertionError on timeout,
        with the end of the job's log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state, entry = self.job_state(job, project)
            if state == "finished":
                return entry
            time.sleep(0.2)
        raise AssertionError(f"job {job} not finished after {timeout} s:\n{self.job_log(job)}")

    def shard_dir(self, spider: str, job: str, project: str = "luutru") -> Path:
        """Where a job's shard lands under this node's items_dir (scrapers/shard.py)."""
        return self.items_dir / project / spider / job

    def shard_url(self, spider: str, job: str, project: str = "luutru") -> str:
        """The shard folder as Scrapyd serves it: `<url>items/<project>/<spider>/<job>/`."""
        return f"{self.url}items/{project}/{spider}/{job}/"

    def job_log(self, job: str, project: str = "luutru") -> str:
        """The job's Scrapy log as Scrapyd wrote it ("" if none yet)."""
        for path in self.logs_dir.glob(f"{project}/*/{job}.log"):
            return path.read_text("utf-8", "replace")
        return ""


# -- the egg -----------------------------------------------------------------------------------

_EGG: dict[str, Path] = {}


def build_egg() -> Path:
    """Build the project's egg with `scrapyd-deploy --build-egg`, once per test session, from
    a copy of the sources in a temporary folder (removed at exit)."""
    if "egg" in _EGG and _EGG["egg"].exists():
        return _EGG["egg"]
    work = Path(tempfile.mkdtemp(prefix="luutru-egg-"))
    atexit.register(shutil.rmtree, work, True)
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in _EGG_SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    egg = work / "luutru.egg"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPY_")}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run([str(SCRAPYD_DEPLOY), "--build-egg", str(egg)], cwd=src, env=env,
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not egg.exists():
        raise RuntimeError(f"scrapyd-deploy --build-egg failed ({proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    _EGG["egg"] = egg
    return egg


def deploy(url: str, project: str = "luutru", version: str | None = None) -> str:
    """Upload the session's egg to the Scrapyd at `url` (addversion.json); the version."""
    egg = build_egg()
    version = version or f"r{int(time.time())}"
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("project", project), ("version", version)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; '
                 f'filename="project.egg"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 .encode() + egg.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        urllib.parse.urljoin(url.rstrip("/") + "/", "addversion.json"), data=b"".join(parts),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"addversion.json: {exc.code} {exc.read()[:500]!r}") from exc
    if answer.get("status") != "ok":
        raise AssertionError(f"addversion.json: {answer}")
    return version
