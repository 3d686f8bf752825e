# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one poll of a wait looks at, and what the wait then says: given job ids, each named target's newest
covering job, or every job of a scope.

Internal to ciphertrust.cckm: not a public API, may change without notice.

Each watch is a ``Watch``: ``poll()`` (the jobs that decide, normalized, newest first; the waiter waits while one
runs), ``judge(jobs, fail_on)`` (what the wait's result adds, its warnings, and the failure, if any), ``done(jobs)``
and ``not_started_message(outcome)``.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Protocol, Set, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import age
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import Target, TargetIndex, named_targets
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.lookup import look_up
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.scan import MAX_PAGE, NEWEST_PAGE, look
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    FINISHED_STATES,
    IN_PROGRESS,
    SUCCEEDED,
    created,
    newest_first,
    normalize_job,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import WaitOutcome, all_finished

Jobs = List[Dict[str, Any]]


class JobReader(Protocol):
    """What the watches need of a client (``CckmClient`` has it; unit tests pass a small fake)."""

    def get_job(self, path: str) -> Optional[Dict[str, Any]]:
        """One raw job by its path, or None when CM answers 404."""

    def list_page(self, path: str, query: Dict[str, Any], skip: int, limit: int) -> Tuple[Jobs, int]:
        """One listing request: the raw jobs of the page at ``skip`` and CM's ``total``."""


def gone_error(query: JobQuery, job_id: str) -> CckmError:
    """The failure for a watched job that CM no longer has (deleted while the wait watched it)."""
    return CckmError(
        "Synchronization job %s (%s %s) is gone from CipherTrust Manager: it was watched while in progress, and "
        "now GET %s/%s answers 404 (deleted while this wait watched it). The wait ends here; list the "
        "cloud's jobs with its info module to see what runs now." % (job_id, query.cloud.name, query.scope, query.path, job_id),
        status=404,
    )


class Judgement(NamedTuple):
    """What a wait says once it has waited: its failure (None: it succeeded), warnings, and what the result adds."""

    failure: Optional[str]
    warnings: List[str]
    result: Dict[str, Any]


def errors_text(errors: List[Dict[str, str]]) -> str:
    return "; ".join("%s: %s" % (e["target"], e["message"].strip() or "(no message)") for e in errors)


def jobs_failure(failed: Jobs) -> str:
    """The failure for watched jobs that ended in a ``fail_on`` state."""
    parts = []
    for job in failed:
        errors = errors_text(job["errors"])
        parts.append(
            "job %s is %s (overall_status %r)%s"
            % (job.get("id"), job["state"], job.get("overall_status"), ": " + errors if errors else "")
        )
    return "Synchronization ended badly: " + "; ".join(parts) + "."


def ended_text(job: Dict[str, Any], now: Optional[float] = None) -> str:
    """``ended failed at 2026-12-01T02:00:41Z (3 h 10 min ago)``."""
    ended = job.get("completed_at") or job.get("updatedAt")
    ago = age(ended, now)
    return "ended %s at %s%s" % (job["state"], ended or "an unknown time", " (%s ago)" % ago if ago else "")


class Watch:
    """What a wait asks of what it watches. ``poll`` and ``judge`` are each watch's own; the rest are defaults."""

    def poll(self) -> Jobs:
        """The jobs that decide the wait, normalized, newest first."""
        raise NotImplementedError

    def judge(self, jobs: Jobs, fail_on: List[str]) -> Judgement:
        """What the wait says of ``jobs`` once it has waited."""
        raise NotImplementedError

    def done(self, jobs: Jobs) -> bool:
        """Whether the wait is over: none of ``jobs`` runs (so no job at all is done too, unlike a schedule's run)."""
        return all_finished(jobs)

    def not_started_message(self, outcome: WaitOutcome) -> Optional[str]:
        """A timeout's message when nothing it waits for had started; None: the usual timeout message says it."""
        return None


class IdWatch(Watch):
    """Watch jobs by id: one GET per job still running per poll; finished jobs are not asked again."""

    def __init__(self, client: JobReader, query: JobQuery, ids: List[str]) -> None:
        self.client = client
        self.query = query
        self.ids = list(dict.fromkeys(ids))
        self.latest: Dict[str, Dict[str, Any]] = {}

    def poll(self) -> Jobs:
        missing = []
        for job_id in self.ids:
            known = self.latest.get(job_id)
            if known and known["state"] in FINISHED_STATES:
                continue
            job = self.client.get_job(self.query.cloud.job_path(self.query.scope, job_id))
            if job is None and known:
                raise gone_error(self.query, job_id)
            if job is None:
                missing.append(job_id)
            else:
                self.latest[job_id] = normalize_job(job)
        if missing:
            raise CckmError(
                "No %s synchronization job with id %s in scope %r (CM answered 404 to GET %s/<id>). Check the "
                "id, the cloud and the scope." % (self.query.cloud.name, ", ".join(missing), self.query.scope, self.query.path),
                status=404,
            )
        return newest_first([self.latest[job_id] for job_id in self.ids])

    def judge(self, jobs: Jobs, fail_on: List[str]) -> Judgement:
        failed = [job for job in jobs if job["state"] in fail_on]
        return Judgement(jobs_failure(failed) if failed else None, [], {})


class FilterWatch(Watch):
    """Watch every job of a scope that is in progress (no target named), at a cost flat in CM's history.

    Each poll is one ``scan.look``: the first finds the running jobs with the status filter and
    reads the newest page; later ones read the newest page back to the previous poll (jobs that
    began since are watched too) and ask each watched job still running that was not on it by id.
    A watched job CM answers 404 for ends the wait. If nothing is in progress, the newest matching
    job is the result.
    """

    def __init__(self, client: JobReader, query: JobQuery, page_size: int = NEWEST_PAGE) -> None:
        self.client = client
        self.query = query
        self.page_size = page_size
        self.watched: Dict[str, Dict[str, Any]] = {}
        self.newest: Optional[Dict[str, Any]] = None
        self.since: Optional[str] = None

    def running(self) -> Set[str]:
        return {job_id for job_id, job in self.watched.items() if job["state"] not in FINISHED_STATES}

    def poll(self) -> Jobs:
        first = self.since is None
        # the first page holds every job this wait watched, finished ones too: a burst on top is one listing
        seen = look(self.client, self.query, self.running(), self.since, self.page_size + len(self.watched))
        if seen.gone:
            raise gone_error(self.query, seen.gone[0])
        self.since = seen.newest
        self.newest = None
        for job in seen.jobs:
            normalize_job(job)
            if self.newest is None:
                self.newest = job
            if job["id"] in self.watched or job["state"] == IN_PROGRESS or (first and job["state"] not in FINISHED_STATES):
                self.watched[job["id"]] = job
        if not self.watched:
            return [self.newest] if self.newest else []
        return newest_first(list(self.watched.values()))

    def judge(self, jobs: Jobs, fail_on: List[str]) -> Judgement:
        warnings = []
        if not jobs:
            warnings.append(
                "No %s exists on CipherTrust Manager, so nothing was waited for. Check the cloud and the scope."
                % self.query.describe()
            )
        failed = [job for job in jobs if job["state"] in fail_on]
        if not failed:
            return Judgement(None, warnings, {})
        if self.watched:
            return Judgement(jobs_failure(failed), warnings, {})
        job = failed[0]  # nothing ran: the newest job decided
        errors = errors_text(job["errors"])
        return Judgement(
            "No %s was running, so nothing was waited for; the newest job, %s, %s%s."
            % (self.query.describe(), job.get("id"), ended_text(job), ": " + errors if errors else ""),
            warnings,
            {},
        )


class TargetWatch(Watch):
    """Watch, for each named target, the newest job that covers it, at a cost flat in CM's history.

    A job covers a target when it lists it by any of its identifiers (the target listing, read once, gives
    them) or synchronizes everything (``coverage``). The scope's newest jobs and running jobs are read
    unfiltered and matched here, so a job of everything decides for every target whatever CM's target filter
    returns; a target whose newest covering job is below the newest page costs one filtered look-up on the
    first poll. Later polls are ``scan.look``'s: the newest page back to the previous poll (a job started
    since supersedes an older one for the targets it covers) and each deciding job still running by id.
    ``floor`` (sync_job's started or reused job) is what decides until a newer covering job appears.
    """

    def __init__(
        self,
        client: JobReader,
        query: JobQuery,
        targets: List[str],
        page_size: int = NEWEST_PAGE,
        floor: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.client = client
        self.query = query
        self.scope_query = JobQuery(query.cloud, scope=query.scope)
        self.names = list(dict.fromkeys(targets))
        self.page_size = page_size
        self.floor = floor
        self.index: Optional[TargetIndex] = None
        self.since: Optional[str] = None
        self.ran = floor is not None and floor["state"] not in FINISHED_STATES
        """Whether a deciding job was in progress (the floor, or at some poll); else nothing was waited for."""

    def describe(self) -> str:
        """``aws keys synchronization job covering kms=kms-prod,kms-dr``."""
        return "%s %s synchronization job covering %s=%s" % (
            self.query.cloud.name,
            self.query.scope,
            self.query.cloud.target_option,
            ",".join(self.names),
        )

    @staticmethod
    def _running(index: TargetIndex) -> List[str]:
        """Ids of the deciding jobs still running (the floor's too, on the first poll)."""
        jobs = [t.newest for t in index.targets.values() if t.newest is not None]
        return sorted({str(job["id"]) for job in jobs if job["state"] not in FINISHED_STATES})

    def poll(self) -> Jobs:
        index = self.index
        if index is None:  # the first poll (again, if it failed half way)
            index = named_targets(self.query.cloud, self.names, self._listing())
            if self.floor is not None:
                index.see(self.floor)
        running = self._running(index)
        seen = look(self.client, self.scope_query, running, self.since, self.page_size + len(running))
        if seen.gone:
            raise gone_error(self.query, seen.gone[0])
        for job in seen.jobs:
            index.see(normalize_job(job))
        if self.index is None:
            self._look_up(index, seen.reach)
        self.index, self.since = index, seen.newest
        jobs = self.deciding()
        self.ran = self.ran or any(job["state"] not in FINISHED_STATES for job in jobs)
        return jobs

    def _listing(self) -> Optional[List[Dict[str, Any]]]:
        """The cloud's target listing (every identifier of a named target), or None where it cannot be read."""
        path = self.query.cloud.scope(self.query.scope).targets
        if not path or not hasattr(self.client, "read_listing"):
            return None
        try:
            return self.client.read_listing(path, {})[0]
        except CckmError as error:
            if error.transient:
                raise
            return None  # not allowed to read it (403), or no such listing: match by the names given

    def _look_up(self, index: TargetIndex, reach: str) -> None:
        """Each target whose newest covering job may lie below the newest page: its newest jobs by the target
        filter (every identifier), or, for a cloud without one, the newest page of the scope once more, larger."""
        deeper = [t for t in index.targets.values() if reach and (t.newest is None or created(t.newest) < reach)]
        if not deeper:
            return
        path = self.query.path
        option = self.query.cloud.filter_option
        if not option:
            page, _total = self.client.list_page(path, {}, 0, MAX_PAGE)
            for job in page:
                index.see(normalize_job(job))
            return
        # decided once the listing has been read past its newest covering job (every newer one is read by then)
        look_up(
            self.client, path, option, index, deeper, lambda t, read_to: t.newest is not None and created(t.newest) >= read_to
        )

    def deciding(self) -> Jobs:
        """The newest covering job of each target, each once, newest first."""
        jobs: Dict[str, Dict[str, Any]] = {}
        for target in self.index.targets.values() if self.index else ():
            if target.newest is not None:
                jobs.setdefault(str(target.newest.get("id")), target.newest)
        return newest_first(list(jobs.values()))

    def target_entries(self) -> List[Dict[str, Any]]:
        """One entry per named target: its state in its newest covering job, that job, when it ended."""
        entries = []
        for target in self.index.targets.values() if self.index else ():
            job = target.newest
            finished = job is not None and job["state"] in FINISHED_STATES
            entries.append(
                {
                    "target": target.name,
                    "state": target.state_in(job) if job is not None else None,
                    "job_id": job.get("id") if job is not None else None,
                    "finished_at": (job.get("completed_at") or job.get("updatedAt")) if finished else None,
                    "errors": target.errors_in(job) if job is not None else [],
                }
            )
        return entries

    def judge(self, jobs: Jobs, fail_on: List[str]) -> Judgement:
        targets = list(self.index.targets.values()) if self.index else []
        uncovered = [t.name for t in targets if t.newest is None]
        warnings = []
        if uncovered:
            warnings.append(
                "No %s %s synchronization job covers %s=%s on CipherTrust Manager, so nothing was waited for %s. "
                "Check the %s, the cloud and the scope: a typo makes this wait succeed without waiting."
                % (
                    self.query.cloud.name,
                    self.query.scope,
                    self.query.cloud.target_option,
                    ",".join(uncovered),
                    "it" if len(uncovered) == 1 else "them",
                    "name" if len(uncovered) == 1 else "names",
                )
            )
        result = {"targets": self.target_entries()}
        bad = [t for t in targets if t.newest is not None and t.state_in(t.newest) in fail_on]
        if not bad:
            return Judgement(None, warnings, result)
        return Judgement(self._failure(bad, targets), warnings, result)

    def _failure(self, bad: List[Target], targets: List[Target]) -> str:
        parts = []
        for target in bad:
            job = target.newest
            errors = errors_text(target.errors_in(job) or job["errors"])
            ended = ended_text(job) + (": " + errors if errors else "")
            parts.append("%s: its newest covering job, %s, %s" % (target.name, job.get("id"), ended))
        good = [t for t in targets if t.newest is not None and t.state_in(t.newest) == SUCCEEDED]
        done = " Succeeded: %s." % ", ".join("%s (job %s)" % (t.name, t.newest.get("id")) for t in good) if good else ""
        lead = (
            "Synchronization ended badly for %d of %d targets" % (len(bad), len(targets))
            if self.ran
            else "No %s was running, so nothing was waited for; %d of %d targets' newest jobs ended badly"
            % (self.describe(), len(bad), len(targets))
        )
        return "%s: %s.%s" % (lead, "; ".join(parts), done)
