"""`crawl --all --scrapyd`: one Scrapyd job per site across nodes, then one merged archive."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luutru.cluster.fetch import ShardRefused, fetch_shard
from luutru.cluster.scrapyd_api import NotFound, ScrapydError, ScrapydNode, ScrapydUnreachable

PROJECT = "luutru"
POLL_S = 2.0  # seconds between two listjobs rounds
DEAD_AFTER = 3  # a node is dead after this many polls in a row without an answer...
DEAD_AFTER_S = 60.0  # ...spanning at least this many seconds (a network blip is not a death)
PRIME = 2  # a node with this many pending jobs is saturated: the next site waits for a slot


@dataclass
class SiteTask:
    """One site to crawl: its spider arguments and settings, and where its job is."""

    site: str
    args: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    host: str = ""  # host[:port] it crawls: never two jobs on one host at once, cluster-wide
    # waiting -> pending -> running -> finished (on the node) -> fetched | failed | refused
    state: str = "waiting"
    node: str | None = None
    job: str | None = None
    attempts: list[dict[str, str]] = field(default_factory=list)
    tried: set[str] = field(default_factory=set)  # nodes where a job ended without a shard
    missing: int = 0  # polls in a row the node did not list the job
    shard: Path | None = None
    articles: int | None = None
    run_status: str | None = None
    files: int = 0
    bytes: int = 0
    error: str = ""

    @property
    def done(self) -> bool:
        return self.state in ("fetched", "failed", "refused")

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "state": self.state, "node": self.node, "job": self.job,
                "run_status": self.run_status, "articles": self.articles, "files": self.files,
                "bytes": self.bytes, "shard": str(self.shard) if self.shard else None,
                "attempts": self.attempts, "error": self.error}


@dataclass
class Node:
    """A Scrapyd node as the orchestrator sees it."""

    api: ScrapydNode
    state: str = "alive"  # alive, unreachable (at start), no-project, dead (midway)
    failures: int = 0
    silent_since: float = 0.0  # monotonic time of the first poll it did not answer
    orphans: list[str] = field(default_factory=list)  # jobs left there when it was declared dead
    pending: int = 0
    running: int = 0
    note: str = ""
    jobs: int = 0  # jobs scheduled here

    @property
    def url(self) -> str:
        return self.api.url

    @property
    def alive(self) -> bool:
        return self.state == "alive"

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "state": self.state, "note": self.note, "jobs": self.jobs,
                "orphans": list(self.orphans)}


@dataclass
class ClusterResult:
    """What the run did on the nodes; the CLI adds the merge and picks the exit code."""

    sites: list[SiteTask]
    nodes: list[Node]
    elapsed_s: float
    fetch_s: float
    fetch_bytes: int

    def shards(self) -> list[Path]:
        return [t.shard for t in self.sites if t.state == "fetched" and t.shard is not None]


class NoNode(Exception):
    """No given node can take jobs (unreachable, or the project is not deployed there)."""


def job_settings(delay: float | None, concurrency: int | None,
                 overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The `setting=` pairs a job gets: what `crawl_settings` (luutru/process.py) sets for
    `--delay`, `--concurrency` and `--set`, as strings for schedule.json."""
    out: dict[str, str] = {}
    if delay is not None:
        out["DOWNLOAD_DELAY"] = str(delay)
        if delay == 0:
            out["AUTOTHROTTLE_ENABLED"] = "False"
            out["DOWNLOAD_DELAY_JITTER"] = "0"
    if concurrency is not None:
        out["CONCURRENT_REQUESTS_PER_DOMAIN"] = str(concurrency)
        out["CONCURRENT_REQUESTS"] = str(max(concurrency, 8))
    out.update(overrides or {})
    return out


class Cluster:
    """Schedules `tasks` on `nodes`, follows them, moves a dead node's sites, fetches shards.

    `say` gets one progress line at a time (the CLI prints them on stderr).
    """

    def __init__(self, urls: Sequence[str], work_dir: Path, *, project: str = PROJECT,
                 poll_s: float = POLL_S, dead_after: int = DEAD_AFTER,
                 dead_after_s: float = DEAD_AFTER_S, timeout: float = 10.0,
                 say: Callable[[str], None] = lambda line: None) -> None:
        self.nodes = [Node(ScrapydNode(url, timeout=timeout)) for url in urls]
        self.work_dir = work_dir
        self.project = project
        self.poll_s = poll_s
        self.dead_after = dead_after
        self.dead_after_s = dead_after_s
        self.say = say
        self.fetch_s = 0.0
        self.fetch_bytes = 0
        self.tasks: list[SiteTask] = []

    # -- start ---------------------------------------------------------------------------

    def probe(self) -> list[Node]:
        """Ask every node whether it answers and holds the project; report and skip the rest."""
        for node in self.nodes:
            try:
                status = node.api.daemonstatus()
                projects = node.api.listprojects()
            except ScrapydError as exc:
                node.state, node.note = "unreachable", str(exc)
                self.say(f"node {node.url}: {exc}: skipped")
                continue
            if self.project not in projects:
                node.state = "no-project"
                node.note = (f"project {self.project!r} is not deployed there: deploy first: "
                             f"scrapyd-deploy <target> (scrapy.cfg [deploy:<target>] with "
                             f"url = {node.url}; docs/scaling.md)")
                self.say(f"node {node.url}: {node.note}: skipped")
                continue
            node.pending, node.running = int(status["pending"]), int(status["running"])
            self.say(f"node {node.url}: up ({node.running} running, {node.pending} pending)")
        live = [n for n in self.nodes if n.alive]
        if not live:
            raise NoNode("no Scrapyd node can take jobs: " + "; ".join(
                f"{n.url}: {n.note}" for n in self.nodes))
        return live

    # -- the loop ------------------------------------------------------------------------

    def run(self, tasks: list[SiteTask]) -> ClusterResult:
        """Until every site is fetched or failed: dispatch, poll, fetch; then the result."""
        start = time.monotonic()
        self.tasks = tasks
        self.probe()
        while not all(t.done for t in tasks):
            self.dispatch()
            self.cancel_orphans()
            waiting = any(t.state == "waiting" for t in tasks)
            for node in self.nodes:
                if node.alive and any(t.node == node.url and not t.done for t in tasks):
                    self.poll(node)
                elif node.alive and waiting:
                    self.refresh(node)  # its load, so that the next site may go there
            if not all(t.done for t in tasks):
                time.sleep(self.poll_s)
        return ClusterResult(tasks, self.nodes, round(time.monotonic() - start, 2),
                             round(self.fetch_s, 3), self.fetch_bytes)

    def dispatch(self) -> None:
        """Each waiting site goes to the live node with the fewest running+pending jobs, as
        long as that node is not saturated (PRIME pending jobs): a fast node takes more.
        A site whose host another job is crawling waits: per-host politeness is a job's
        (one Scrapy process, one download slot per host), so one host, one job at a time."""
        busy = {t.host for t in self.tasks if t.state in ("pending", "running") and t.host}
        for task in self.tasks:
            if task.state != "waiting" or task.host in busy:
                continue
            live = [n for n in self.nodes if n.alive]
            untried = [n for n in live if n.url not in task.tried]
            if len(task.attempts) > 2 * len(self.nodes):  # a node that keeps losing jobs
                untried = []
            if not untried:
                task.state = "failed"
                task.error = ("no live node left to try" if not live else
                              "failed on every node: " + "; ".join(
                                  f"{a['node']}: {a['outcome']}" for a in task.attempts))
                self.say(f"{task.site}: {task.error}")
                continue
            free = [n for n in untried if n.pending < PRIME]
            if not free:
                return  # every node is busy: wait for the next round
            node = min(free, key=lambda n: (n.running + n.pending, n.jobs))
            jobid = f"{task.site}-{uuid.uuid4().hex[:12]}"
            try:
                node.api.schedule(self.project, task.site, args=task.args,
                                  settings=task.settings, jobid=jobid)
            except ScrapydUnreachable as exc:
                self.fail_poll(node, exc)
                continue
            except ScrapydError as exc:  # the spider is missing there, a bad setting...
                task.tried.add(node.url)
                task.attempts.append({"node": node.url, "job": "", "outcome": str(exc)})
                self.say(f"{task.site}: {exc}")
                continue
            task.state, task.node, task.job, task.missing = "pending", node.url, jobid, 0
            busy.add(task.host)
            node.pending += 1
            node.jobs += 1
            self.say(f"{task.site}: pending on {node.url} (job {jobid})")

    def poll(self, node: Node) -> None:
        """One listjobs (and daemonstatus) round on `node`: move its sites along."""
        jobs = self.answer(node, lambda: node.api.listjobs(self.project))
        if jobs is None:
            return
        where = {j["id"]: state for state in ("pending", "running", "finished")
                 for j in jobs[state]}
        for task in self.tasks:
            if task.node != node.url or task.done:
                continue
            state = "finished" if task.state == "finished" else where.get(task.job or "")
            if state is None:
                # Not listed: Scrapyd keeps only the last finished_to_keep jobs in memory,
                # so look for the manifest before deciding the job is lost.
                state = "finished" if self.has_manifest(node, task) else None
            if state is None:
                task.missing += 1
                if task.missing >= self.dead_after:
                    self.requeue(task, "the node no longer lists the job")
                continue
            task.missing = 0
            if state != task.state and state in ("pending", "running"):
                if state == "running" or task.state != "running":
                    task.state = state
                    self.say(f"{task.site}: {state} on {node.url}")
            if state == "finished":
                task.state = "finished"
                self.fetch(node, task)
                if not node.alive:
                    return

    def refresh(self, node: Node) -> None:
        """daemonstatus only: the load of a node that holds none of this run's jobs."""
        self.answer(node, lambda: None)

    def answer(self, node: Node, ask: Callable[[], Any]) -> Any:
        """`ask()` and then daemonstatus on `node`, its load updated: `ask`'s answer, or None
        when the node did not answer (a failed poll counted) or answered an error."""
        try:
            answer = ask()
            status = node.api.daemonstatus()
        except ScrapydUnreachable as exc:
            self.fail_poll(node, exc)
            return None
        except ScrapydError as exc:
            self.say(f"node {node.url}: {exc}")
            return None
        node.failures, node.silent_since = 0, 0.0
        node.pending, node.running = int(status["pending"]), int(status["running"])
        return answer

    def has_manifest(self, node: Node, task: SiteTask) -> bool:
        try:
            node.api.read_json(node.api.items_url(self.project, task.site, task.job or "",
                                                  "manifest.json"))
        except ScrapydError:
            return False
        return True

    def fetch(self, node: Node, task: SiteTask) -> None:
        """Bring a finished job's shard home; a job without a shard is tried elsewhere."""
        started = time.monotonic()
        try:
            shard = fetch_shard(node.api, self.project, task.site, task.job or "",
                                self.work_dir / task.site / (task.job or ""))
        except ScrapydUnreachable as exc:
            self.fail_poll(node, exc)
            return
        except NotFound:
            task.tried.add(node.url)
            self.requeue(task, "the job ended without a shard (see its log on the node)")
            return
        except ShardRefused as exc:
            task.state, task.error = "refused", str(exc)
            task.attempts.append({"node": node.url, "job": task.job or "", "outcome": str(exc)})
            self.say(f"{task.site}: shard refused: {exc}")
            return
        finally:
            self.fetch_s += time.monotonic() - started
        self.fetch_bytes += shard.bytes
        task.state, task.shard = "fetched", shard.path
        task.articles, task.run_status = shard.articles, shard.run_status
        task.files, task.bytes = shard.files, shard.bytes
        task.attempts.append({"node": node.url, "job": task.job or "", "outcome": "fetched"})
        self.say(f"{task.site}: finished on {node.url}: {shard.articles} articles, run "
                 f"{shard.run_status}; fetched {shard.files} files, {shard.bytes / 1e6:.2f} MB")

    def requeue(self, task: SiteTask, why: str) -> None:
        task.attempts.append({"node": task.node or "", "job": task.job or "", "outcome": why})
        self.say(f"{task.site}: {why} on {task.node}: rescheduled")
        if task.job:  # a copy cut short by the node's death: the new job brings its own
            shutil.rmtree(self.work_dir / task.site / task.job, ignore_errors=True)
        task.state, task.node, task.job, task.missing = "waiting", None, None, 0

    def fail_poll(self, node: Node, exc: Exception) -> None:
        """One more poll without an answer; at `dead_after`, the node is dead and every site
        it had not handed back goes to another node (its shards there are not fetched)."""
        now = time.monotonic()
        node.failures += 1
        node.silent_since = node.silent_since or now
        silent = now - node.silent_since
        if node.failures < self.dead_after or silent < self.dead_after_s:
            polls = f"{node.failures} poll" + ("s" if node.failures > 1 else "")
            self.say(f"node {node.url}: no answer ({polls}, {silent:.0f} s of "
                     f"{self.dead_after_s:.0f}): {exc}")
            return
        node.state = "dead"
        node.note = f"stopped answering midway ({exc})"
        moved = [t for t in self.tasks if t.node == node.url and not t.done]
        node.orphans = [t.job for t in moved if t.job and t.state != "finished"]
        self.say(f"node {node.url}: dead after {node.failures} polls and {silent:.0f} s "
                 f"without an answer; rescheduling {', '.join(t.site for t in moved) or 'nothing'}")
        for task in moved:
            self.requeue(task, "node died")

    def cancel_orphans(self) -> None:
        """A dead node that answers again may still run the jobs whose sites moved: cancel
        them, so a host is not crawled from two nodes at once."""
        for node in self.nodes:
            if node.state != "dead" or not node.orphans:
                continue
            for job in list(node.orphans):
                try:
                    prev = node.api.cancel(self.project, job)
                except ScrapydUnreachable:
                    break
                except ScrapydError as exc:
                    self.say(f"node {node.url}: could not cancel job {job}: {exc}")
                    continue
                node.orphans.remove(job)
                self.say(f"node {node.url} answers again: cancelled its job {job} "
                         f"({prev or 'gone'}), whose site moved")


def list_sites_text(tasks: list[SiteTask]) -> str:
    """The summary a person reads at the end: one line per site that did not merge."""
    bad = [t for t in tasks if t.state != "fetched" or t.run_status not in ("finished", None)]
    return "\n".join(f"  {t.site}: {t.state}"
                     + (f" (run {t.run_status})" if t.run_status else "")
                     + (f": {t.error}" if t.error else "") for t in bad)


