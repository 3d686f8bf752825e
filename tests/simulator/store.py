"""Synchronization jobs that move through time, per cloud family (path)."""

from __future__ import annotations

import datetime
import heapq
import threading
import time
import uuid
from typing import Any, Callable, Dict, Iterable, List, Optional

from tests.simulator.families import Family

# What a job becomes when its duration has passed. "partial" is CM's completed-with-errors.
OUTCOMES = ("completed", "partial", "failed", "error", "aborted", "cancelled_completed", "weird")


def iso(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class SimJob:
    """One job; its visible state is a function of the wall clock."""

    __slots__ = (
        "_final",
        "born",
        "cancel_settle",
        "cancelled_at",
        "cloud",
        "created",
        "duration",
        "family",
        "fields",
        "filter_key",
        "filter_values",
        "finished_at",
        "id",
        "origin",
        "outcome",
        "path",
        "polls",
        "reads",
        "renders",
        "seen_at",
        "spelling",
        "starts_when_seen",
        "target_key",
        "targets",
        "vanish_after_reads",
    )  # 100,000 jobs a scope in the fleet benchmarks

    def __init__(
        self,
        family: Family,
        filter_values: Iterable[str] = (),
        duration: float = 0.0,
        outcome: str = "completed",
        spelling: str = "in_progress",
        created: Optional[float] = None,
        polls: Optional[int] = None,
        targets: Iterable[str] = (),
        job_id: Optional[str] = None,
        starts_when_seen: bool = False,
        fields: Optional[Dict[str, Any]] = None,
        target_key: Optional[str] = None,
        vanish_after_reads: Optional[int] = None,
        origin: Optional[int] = None,
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError("outcome must be one of %s" % (OUTCOMES,))
        self.id = job_id or str(uuid.uuid4())
        self.family = family
        self.cloud = family.cloud
        self.path = family.path
        self.filter_key = family.filter_key
        self.filter_values = list(filter_values)
        self.duration = float(duration)
        self.outcome = outcome
        self.spelling = spelling
        self.created = created if created is not None else time.time()  # the simulator passes its clock's now
        # what detailed_status names: the targets given, else those the job lists, as CM does
        self.targets = list(targets) or list(self.filter_values) or ["%s-target-1" % family.cloud]
        self.cancelled_at: Optional[float] = None
        self.cancel_settle = 0.0  # seconds a cancelled job stays in progress (abort: true) before it stops
        self.fields = dict(fields or {})  # more fields the job carries (regions, synchronize_all, ...)
        self.target_key = target_key or family.job_key  # where the job lists its targets
        # Tests that must catch a job mid-run: its duration counts from the first time a client reads it.
        self.starts_when_seen = starts_when_seen
        self.seen_at: Optional[float] = None
        self._final: Optional[tuple] = None
        # A job driven by its readers: in progress for its first ``polls`` reads, finished at the next.
        self.polls = polls
        self.reads = 0
        self.finished_at: Optional[float] = None
        # A job deleted by someone else mid-wait, driven by its readers: gone once read this many times.
        self.vanish_after_reads = vanish_after_reads
        self.renders = 0
        # Started through node ``origin`` of a cluster: the other nodes see it ``lag`` seconds after ``born``.
        self.origin = origin
        self.born = time.time()

    def visible(self, viewer: Optional[int], lag: float) -> bool:
        """Whether node ``viewer`` knows this job yet (replication lag); jobs a test adds are everywhere at once."""
        return self.origin is None or viewer is None or viewer == self.origin or time.time() >= self.born + lag

    @property
    def ends_at(self) -> float:
        if self.finished_at is not None:
            return self.finished_at
        if self.polls is not None:
            return float("inf")
        if self.starts_when_seen:
            return float("inf") if self.seen_at is None else self.seen_at + self.duration
        return self.created + self.duration

    def cancel(self, now: float, settle: float = 0.0) -> None:
        """Mark it aborted; it stops ``settle`` seconds later (CM finishes what it was doing)."""
        if not self.finished(now) and self.cancelled_at is None:
            self.cancelled_at = now
            self.cancel_settle = settle

    @property
    def stops_at(self) -> float:
        return self.ends_at if self.cancelled_at is None else min(self.ends_at, self.cancelled_at + self.cancel_settle)

    def finished(self, now: float) -> bool:
        return now >= self.stops_at

    def overall_status(self, now: float) -> str:
        if not self.finished(now):
            return self.spelling
        if self.cancelled_at is not None:
            return "completed"
        return {"partial": "completed", "cancelled_completed": "completed", "weird": "paused"}.get(self.outcome, self.outcome)

    def finish(self, now: float) -> None:
        """End it now, with its outcome (a test's "the cloud answered")."""
        if not self.finished(now):
            self.finished_at = now

    @property
    def vanished(self) -> bool:
        return self.vanish_after_reads is not None and self.renders >= self.vanish_after_reads

    def render(self, now: float) -> Dict[str, Any]:
        self.renders += 1
        if self.starts_when_seen and self.seen_at is None:
            self.seen_at = now
        if self.polls is not None and self.finished_at is None:
            if self.reads >= self.polls:
                self.finished_at = now
            self.reads += 1
        if not self.finished(now):
            return self._render(now)
        # A finished job no longer changes unless a test edits it: render it once (fast 10,000-job listings).
        key = (self.outcome, self.spelling, tuple(self.filter_values), tuple(self.targets))
        key += (self.cancelled_at, self.ends_at, self.created, self.cancel_settle)
        if self._final is None or self._final[0] != key:
            self._final = (key, self._render(now))
        return self._final[1]

    def _render(self, now: float) -> Dict[str, Any]:
        status = self.overall_status(now)
        finished = self.finished(now)
        end = self.stops_at
        if not finished:
            detailed = {t: self.spelling for t in self.targets}
        elif self.outcome == "partial":
            detailed = {t: "synchronized successfully" for t in self.targets[1:]}
            detailed[self.targets[0]] = "Error listing keys from %s: access denied" % self.cloud.upper()
        elif self.outcome in ("failed", "error"):
            detailed = {t: "Error synchronizing: connection to the cloud failed" for t in self.targets}
        elif self.outcome == "aborted" or self.cancelled_at is not None or self.outcome == "cancelled_completed":
            detailed = {t: "in_progress" for t in self.targets}
        else:
            detailed = {t: "synchronized successfully" for t in self.targets}
        job = {
            "id": self.id,
            "uri": "kylo:kylo:cckm:synchronize:%s" % self.id,
            "account": "kylo:kylo:admin:accounts:kylo",
            "application": "ncryptify:gemalto:admin:apps:kylo",
            "devAccount": "ncryptify:gemalto:admin:accounts:gemalto",
            "createdAt": iso(self.created),
            "updatedAt": iso(min(now, end)),
            "overall_status": status,
            "detailed_status": detailed,
            "cloud": self.family.cm_cloud,
            "abort": self.cancelled_at is not None or self.outcome in ("aborted", "cancelled_completed"),
        }
        if finished:
            job["completed_at"] = iso(end)
        if self.target_key:
            job[self.target_key] = list(self.filter_values)
        job.update(self.fields)
        return job


class JobStore:
    """Jobs per family path, kept newest first, with indexes so that a listing costs about the page it answers,
    not the history: jobs by target value, the jobs of everything, and those that may still be running."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_path: Dict[str, List[SimJob]] = {}
        self.by_id: Dict[str, SimJob] = {}
        self.by_target: Dict[str, Dict[str, List[SimJob]]] = {}
        """path -> target value -> the jobs that list it, newest first."""
        self.everything: Dict[str, List[SimJob]] = {}
        """path -> the jobs with no target list (they synchronize everything), newest first."""
        self.live: Dict[str, List[SimJob]] = {}
        """path -> jobs not seen finished yet (pruned as they finish: a job never runs again)."""
        self.done: Dict[str, Dict[str, List[SimJob]]] = {}
        """path -> overall_status -> the jobs seen finished with it, newest first (a finished job's status stays)."""
        self.special: Dict[str, int] = {}
        """path -> jobs that vanish or were started through one node of a cluster (they need a check each)."""

    def add(self, job: SimJob) -> SimJob:
        return self.add_many([job])[0]

    def add_many(self, new: List[SimJob], now: Optional[float] = None) -> List[SimJob]:
        """Index ``new`` jobs; given ``now``, those already finished then skip the running index (seeded history)."""
        newest_first = sorted(new, key=_newest)
        with self.lock:
            for path in {job.path for job in new}:
                mine = [job for job in newest_first if job.path == path]
                self.by_path[path] = _merged(self.by_path.get(path, []), mine)
                everything = [job for job in mine if not job.filter_values]
                self.everything[path] = _merged(self.everything.get(path, []), everything)
                index = self.by_target.setdefault(path, {})
                by_value: Dict[str, List[SimJob]] = {}
                for job in mine:
                    for value in set(job.filter_values):
                        by_value.setdefault(value, []).append(job)
                for value, jobs in by_value.items():
                    index[value] = _merged(index.get(value, []), jobs)
                finished = [] if now is None else [job for job in mine if job.finished(now)]
                self.live.setdefault(path, []).extend(job for job in mine if now is None or not job.finished(now))
                done = self.done.setdefault(path, {})
                for status in {job.overall_status(now) for job in finished}:
                    done[status] = _merged(done.get(status, []), [job for job in finished if job.overall_status(now) == status])
                self.special[path] = self.special.get(path, 0) + sum(
                    1 for job in mine if job.vanish_after_reads is not None or job.origin is not None
                )
            for job in new:
                self.by_id[job.id] = job
        return new

    def remove(self, job_id: str) -> None:
        with self.lock:
            job = self.by_id.pop(job_id, None)
            if job:
                indexes = [self.by_path[job.path], self.everything.get(job.path, []), self.live.get(job.path, [])]
                indexes += list(self.done.get(job.path, {}).values())
                for jobs in indexes + [self.by_target[job.path].get(value, []) for value in job.filter_values]:
                    if job in jobs:
                        jobs.remove(job)

    def clear(self) -> None:
        with self.lock:
            for index in (self.by_path, self.by_id, self.by_target, self.everything, self.live, self.done, self.special):
                index.clear()

    def get(self, path: str, job_id: str, viewer: Optional[int] = None, lag: float = 0.0) -> Optional[SimJob]:
        with self.lock:
            job = self.by_id.get(job_id)
        return job if job and job.path == path and not job.vanished and job.visible(viewer, lag) else None

    def query(
        self,
        path: str,
        query: Dict[str, List[str]],
        now: float,
        lenient_status: bool = False,
        targets_match_all: bool = False,
        viewer: Optional[int] = None,
        lag: float = 0.0,
    ) -> List[SimJob]:
        """Jobs of ``path`` matching the query keys, newest first.

        ``lenient_status``: the ``overall_status`` filter matches every spelling of a status
        (``in_progress`` finds ``in progress`` too), as a CM might; otherwise it matches exactly.
        ``targets_match_all``: a target filter also matches the jobs that synchronize everything (no
        target list), as a CM might; otherwise only the jobs that list one of its values.
        """
        ids = set(query.get("id", []))
        statuses = set(query.get("overall_status", []))
        if lenient_status:
            statuses = {_canonical(status) for status in statuses}

        def matches(status: str) -> bool:
            return (_canonical(status) if lenient_status else status) in statuses

        with self.lock:
            jobs = self._candidates(path, query, ids, statuses, matches, targets_match_all, now)
            checked = self.special.get(path, 0) > 0
        if checked:
            jobs = [job for job in jobs if not job.vanished and job.visible(viewer, lag)]
        if ids and statuses:  # asked for by id: the status is told per job
            return [job for job in jobs if matches(job.overall_status(now))]
        return jobs

    def _candidates(
        self,
        path: str,
        query: Dict[str, List[str]],
        ids: set,
        statuses: set,
        matches: Callable[[str], bool],
        match_all: bool,
        now: float,
    ) -> List[SimJob]:
        """The jobs that match, from the narrowest indexes (newest first); by id, the caller applies the status."""
        every = self.by_path.get(path, [])
        if ids:
            return sorted((self.by_id[i] for i in ids if i in self.by_id and self.by_id[i].path == path), key=_newest)
        key = every[0].filter_key if every else None
        jobs = every
        if key and key in query:
            lists = [self.by_target.get(path, {}).get(value, []) for value in set(query[key])]
            jobs = _merged_many(lists + ([self.everything.get(path, [])] if match_all else []))
        if not statuses:
            return list(jobs)
        running = sorted((job for job in self._running(path, now) if matches(job.overall_status(now))), key=_newest)
        found = _merged_many([jobs for status, jobs in self.done.get(path, {}).items() if matches(status)] + [running])
        if jobs is every:
            return found
        wanted = set(map(id, jobs))
        return [job for job in found if id(job) in wanted]

    def _running(self, path: str, now: float) -> List[SimJob]:
        """The jobs of ``path`` still running at ``now``; those that finished move to the index by status."""
        live = self.live.setdefault(path, [])
        ended = [job for job in live if job.finished(now)]
        if ended:
            live[:] = [job for job in live if not job.finished(now)]  # a job never runs again once finished
            done = self.done.setdefault(path, {})
            for status in {job.overall_status(now) for job in ended}:
                jobs = done.setdefault(status, [])
                jobs += [job for job in ended if job.overall_status(now) == status]
                jobs.sort(key=_newest)  # nearly sorted: linear
        return live


RUNNING_SPELLINGS = ("in_progress",)


def _newest(job: SimJob) -> Any:
    return (-job.created, job.id)


def _merged(old: List[SimJob], new: List[SimJob]) -> List[SimJob]:
    """Two newest-first lists as one."""
    if not new:
        return old
    if not old or _newest(old[-1]) <= _newest(new[0]):
        return old + new
    if _newest(new[-1]) <= _newest(old[0]):
        return new + old
    return list(heapq.merge(old, new, key=_newest))


def _merged_many(lists: List[List[SimJob]]) -> List[SimJob]:
    """Newest-first lists as one, each job once."""
    lists = [jobs for jobs in lists if jobs]
    if len(lists) == 1:
        return list(lists[0])
    seen: set = set()
    out = []
    for job in heapq.merge(*lists, key=_newest):
        if id(job) not in seen:
            seen.add(id(job))
            out.append(job)
    return out


def _canonical(status: str) -> str:
    return status.strip().lower().replace(" ", "_")
