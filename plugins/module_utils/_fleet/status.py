# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet status: is every target of every cloud and scope synchronized recently, and if not, why.

Internal to ciphertrust.cckm: not a public API, may change without notice.

A target is what a job synchronizes (a KMS account, a vault, a key ring, ...), listed by CM per cloud
(``Scope.targets``). Each scope's jobs are read newest first only until every target has a covering
success, or until the jobs are older than ``max_age``; the targets still undecided are then looked up by
the target filter many at a time (``_jobs.lookup``; a cloud with no filter: one listing of completed jobs for
the scope). Scopes are read concurrently, so the fleet costs about what its largest scope costs. Which job
covers which target is ``_jobs.coverage``'s to say, through an index of every identifier: CPU grows with the
jobs read and the targets, not their product. A fleet where no target was found is never in sync.
"""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC, parse_time, utc_text
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import (
    Target,
    TargetIndex,
    job_targets,
    listed_target,
    live_resources,
    synchronizes_all,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.lookup import look_up
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery, find_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    CANCELLED,
    FAILED,
    IN_PROGRESS,
    PARTIAL,
    normalize_job,
)

Job = Dict[str, Any]

OK, RUNNING, FAILING, STALE, NEVER = "ok", "running", "failing", "stale", "never"
VERDICTS: Tuple[str, ...] = (OK, RUNNING, FAILING, STALE, NEVER)
FAIL_WHEN_CHOICES: Tuple[str, ...] = (STALE, FAILING, NEVER)
IN_SYNC_VERDICTS: Tuple[str, ...] = (OK, RUNNING)
DISCOVERED, SEEN = "discovered", "seen"
DEFAULT_MAX_AGE = "24h"

JOB_PAGE = 100
"""Jobs per page of a scope's newest-first read, at least."""
MAX_JOB_PAGE = 1000
"""Jobs per page at most: a scope with more targets than JOB_PAGE reads pages of one job a target up to this."""
WINDOW_JOBS_KEPT = 200
"""Newest jobs of the window returned per scope (for the report's timeline)."""
WORKERS = 8
"""Scopes and target listings read at once."""


class ScopeStatus(NamedTuple):
    cloud: str
    scope: str
    targets_from: str
    targets: List[Dict[str, Any]]
    jobs: List[Job]
    """The window's newest jobs (at most WINDOW_JOBS_KEPT), compact, for a timeline."""
    jobs_in_window: int
    in_use: bool
    """Whether the scope has a target or a job at all (one with neither is not counted nor drawn)."""
    warnings: List[str]


class FleetQuery(NamedTuple):
    scopes: List[Tuple[Cloud, str]]
    max_age: int
    targets: str = DISCOVERED


class NewestJobs(NamedTuple):
    jobs: List[Job]
    """Every job read, newest first (the window, and the page that reached past it)."""
    in_window: List[Job]
    """Those younger than ``max_age``."""


# -- one scope --------------------------------------------------------------------------------------


def scope_status(
    client: Any,
    cloud: Cloud,
    scope: str,
    max_age: int,
    now: datetime.datetime,
    resources: Optional[List[Dict[str, Any]]],
) -> ScopeStatus:
    """The verdict of every target of one scope. ``resources``: CM's listing, or None to take targets from jobs."""
    listed = [listed_target(cloud, resource) for resource in live_resources(cloud, resources or [])]
    index = TargetIndex(cloud, listed)
    newest = read_newest(client, cloud.scope(scope).path, now - datetime.timedelta(seconds=max_age), index)
    running = [
        job
        for job in find_jobs(client, JobQuery(cloud, scope=scope, overall_status=IN_PROGRESS))[0]
        if job["state"] == IN_PROGRESS
    ]  # a job stuck in progress below the pages read
    warnings: List[str] = []
    targets_from = DISCOVERED
    if not listed:
        naming = [job for job in newest.jobs + running if job_targets(cloud, job)]
        if resources is None or naming:
            targets_from = SEEN
            targets_from_jobs(index, naming)
            for job in newest.jobs:  # read before these targets existed
                index.see(job)
        if resources is not None and (naming or newest.jobs):
            warnings.append(empty_listing_warning(cloud, scope, len(newest.in_window), bool(naming)))
    for job in running:
        index.see(job)
    settle_undecided(client, cloud, scope, index)
    reports = [report_of(cloud, scope, index.targets[name], now, max_age) for name in sorted(index.targets)]
    return ScopeStatus(
        cloud.name,
        scope,
        targets_from,
        reports,
        [compact(index, job) for job in newest.in_window[:WINDOW_JOBS_KEPT]],
        len(newest.in_window),
        bool(index.targets or newest.jobs or running),
        warnings,
    )


def read_newest(client: Any, path: str, window_start: datetime.datetime, index: TargetIndex) -> NewestJobs:
    """The scope's jobs newest first, each seen by the targets it covers, until every target has a covering
    success or a page reaches past ``window_start`` (that page is read whole: it may decide a target)."""
    jobs: List[Job] = []
    in_window: List[Job] = []
    skip, total = 0, None
    size = min(MAX_JOB_PAGE, max(JOB_PAGE, len(index)))  # a window holds about a job a target: read it in few pages
    while total is None or skip < total:
        page, total = client.list_page(path, {}, skip, size)
        if not page:
            break
        skip += len(page)
        past_window = False
        for job in page:
            normalize_job(job)
            index.see(job)
            started = parse_time(job.get("createdAt"))
            if started is not None and started < window_start:
                past_window = True
            else:
                in_window.append(job)
        jobs += page
        if past_window or (len(index) and index.all_succeeded()):
            break
    return NewestJobs(jobs, in_window)


def targets_from_jobs(index: TargetIndex, jobs: Iterable[Job]) -> None:
    """Index every target the jobs name and no indexed target answers to (``targets: seen``)."""
    for job in jobs:
        for entry in job_targets(index.cloud, job):
            if not index.named_by(entry):
                index.add(Target(entry))


def settle_undecided(client: Any, cloud: Cloud, scope: str, index: TargetIndex) -> None:
    """Look up the targets the window left without a covering success: by the target filter (every identifier),
    many at a time (``_jobs.lookup``), or, for a cloud without one, the newest completed jobs of the scope once."""
    undecided = index.without_success()
    if not undecided:
        return
    path = cloud.scope(scope).path
    if not cloud.filter_option:
        page, _total = client.list_page(path, {"overall_status": "completed"}, 0, JOB_PAGE)
        for job in page:
            index.see(normalize_job(job))
        return
    look_up(client, path, cloud.filter_option, index, undecided, lambda target, _reach: target.has_success)


def report_of(cloud: Cloud, scope: str, target: Target, now: datetime.datetime, max_age: int) -> Dict[str, Any]:
    """One target's entry of ``sync_status``'s ``targets``: its verdict and the jobs that decided it."""
    success_at = finished_at(target.last_success) if target.last_success else None
    age = int((now - success_at).total_seconds()) if success_at else None
    last = target.last_finished
    outcome = None
    if last is not None:
        outcome = target.state_in(last)
        outcome = FAILED if outcome == PARTIAL else outcome
    if outcome in (FAILED, CANCELLED):
        verdict = FAILING
    elif age is not None and age <= max_age:
        verdict = OK
    elif target.running:
        verdict = RUNNING
    elif age is not None:
        verdict = STALE
    else:
        verdict = NEVER
    return {
        "cloud": cloud.name,
        "scope": scope,
        "target": target.name,
        "target_id": target.target_id,
        "verdict": verdict,
        "last_success_at": utc_text(success_at) if success_at else None,
        "age": max(age, 0) if age is not None else None,
        "last_job": None
        if last is None
        else {
            "id": last.get("id"),
            "state": last["state"],
            "outcome": outcome,
            "overall_status": last.get("overall_status"),
            "createdAt": last.get("createdAt"),
            "completed_at": last.get("completed_at"),
            "errors": target.errors_in(last),
        },
        "running_job": None
        if target.running is None
        else {"id": target.running.get("id"), "createdAt": target.running.get("createdAt"), "state": IN_PROGRESS},
    }


def finished_at(job: Job) -> Optional[datetime.datetime]:
    return parse_time(job.get("completed_at")) or parse_time(job.get("updatedAt")) or parse_time(job.get("createdAt"))


def compact(index: TargetIndex, job: Job) -> Job:
    """A window job for the timeline: which targets it covers, and those its errors name (a partial job
    failed for these and succeeded for the others)."""
    everything = synchronizes_all(index.cloud, job)
    covered = [] if everything else index.covered_by(job)
    failed_for = [target for target in index.errors_naming(job) if everything or target in covered]
    return {
        "id": job.get("id"),
        "state": job["state"],
        "createdAt": job.get("createdAt"),
        "completed_at": job.get("completed_at"),
        "targets": job_targets(index.cloud, job),
        "everything": everything,
        "covers": [target.name for target in covered],
        "errors_for": [target.name for target in failed_for],
    }


def empty_listing_warning(cloud: Cloud, scope: str, in_window: int, naming: bool) -> str:
    path = cloud.scope(scope).targets
    listing = "CipherTrust Manager's listing of %s targets (GET /api%s) answered no live target" % (cloud.title, path)
    if not naming:
        return (
            "%s, and the jobs of %s %s name none (they synchronize everything), so no target of it was checked. "
            "Check that the user may read that listing." % (listing, cloud.name, scope)
        )
    return (
        "%s, while %s %s has jobs that name targets (%d in the window): its targets are taken from those jobs "
        "(targets_from: seen), so a target never synchronized does not show. Likely the user's role may see none "
        "of them (CM filters the listing by permission): give it a CCKM role that may view %s."
        % (listing, cloud.name, scope, in_window, path.rsplit("/", 1)[-1])
    )


def forbidden_warning(cloud: Cloud, scope: str, error: CckmError) -> str:
    path = cloud.scope(scope).targets
    return (
        "CipherTrust Manager refused to list the %s targets (GET /api%s answered HTTP %s%s): the user needs "
        "permission to read them (a CCKM role that may view %s). Targets of %s %s are taken from its jobs "
        "instead (targets: seen), so a target never synchronized does not show."
        % (cloud.title, path, error.status, error.cm_reason(), path.rsplit("/", 1)[-1], cloud.name, scope)
    )


# -- the fleet --------------------------------------------------------------------------------------


def fleet_status(
    client: Any,
    query: FleetQuery,
    now: Optional[datetime.datetime] = None,
    workers: int = WORKERS,
) -> Dict[str, Any]:
    """Every scope's targets and verdicts, counts per scope and overall, and whether all are in sync."""
    now = now or datetime.datetime.now(UTC)
    listings: Dict[str, Any] = {}
    if query.targets == DISCOVERED:
        paths = sorted({cloud.scope(scope).targets for cloud, scope in query.scopes} - {""})  # "": no listing known
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(paths)))) as pool:
            for path, outcome in zip(paths, pool.map(lambda p: read_targets(client, p), paths)):
                listings[path] = outcome

    warnings: List[str] = []
    resources: Dict[Tuple[str, str], Optional[List[Dict[str, Any]]]] = {}
    for cloud, scope in query.scopes:
        found, warning = usable_listing(listings.get(cloud.scope(scope).targets), cloud, scope)
        resources[(cloud.name, scope)] = found
        warnings += [warning] if warning else []

    def one(cloud_scope: Tuple[Cloud, str]) -> ScopeStatus:
        cloud, scope = cloud_scope
        return scope_status(client, cloud, scope, query.max_age, now, resources[(cloud.name, scope)])

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(query.scopes)))) as pool:
        scopes = list(pool.map(one, query.scopes))
    every = [target for status in scopes for target in status.targets]
    for status in scopes:
        warnings += status.warnings
    if not every:
        warnings.append(nothing_checked_warning(scopes))
    return {
        "targets": every,
        "counts": count_verdicts(every),
        "scopes": [
            {
                "cloud": s.cloud,
                "scope": s.scope,
                "in_use": s.in_use,
                "targets_from": s.targets_from,
                "counts": count_verdicts(s.targets),
                "jobs": s.jobs,
                "jobs_in_window": s.jobs_in_window,
            }
            for s in scopes
        ],
        "in_sync": bool(every) and all(t["verdict"] in IN_SYNC_VERDICTS for t in every),
        "max_age": query.max_age,
        "checked_at": utc_text(now),
        "warnings": warnings,
    }


def nothing_checked_warning(scopes: List[ScopeStatus]) -> str:
    """What a fleet with no target says: what was read, and that nothing was checked."""
    read = ", ".join("%s %s" % (s.cloud, s.scope) for s in scopes) or "none"
    jobs = sum(s.jobs_in_window for s in scopes)
    return (
        "No target found in the %d scope%s read (%s), with %d job%s in the window: nothing was checked, so in_sync "
        "is false. Check that CCKM holds targets for these clouds and that the user may read them (or try "
        "targets: seen)." % (len(scopes), "" if len(scopes) == 1 else "s", read, jobs, "" if jobs == 1 else "s")
    )


def read_targets(client: Any, path: str) -> Any:
    """Every resource of a target listing, or the CckmError of a 403 (any other error is raised)."""
    try:
        resources, _total = client.read_listing(path, {})
    except CckmError as error:
        if error.status == 403:
            return error
        raise
    return resources


def usable_listing(listing: Any, cloud: Cloud, scope: str) -> Tuple[Optional[List[Dict[str, Any]]], Optional[str]]:
    """``read_targets``'s answer as ``scope_status`` takes it, and the warning when CM refused it (None: targets seen)."""
    if isinstance(listing, CckmError):
        return None, forbidden_warning(cloud, scope, listing)
    return listing, None


def count_verdicts(targets: Iterable[Dict[str, Any]]) -> Dict[str, int]:
    counts = {verdict: 0 for verdict in VERDICTS}
    for target in targets:
        counts[target["verdict"]] += 1
    return counts


def offenders_message(status: Dict[str, Any], fail_when: List[str], shown: int = 10) -> Optional[str]:
    """The failure message naming each target whose verdict is in ``fail_when`` (or saying nothing was
    checked, when no target was found), or None when there is none."""
    if fail_when and not status["targets"]:
        return "No target found, so nothing was checked (fail_when: %s): %s" % (
            ", ".join(fail_when),
            nothing_checked_detail(status),
        )
    bad = [t for t in status["targets"] if t["verdict"] in fail_when]
    if not bad:
        return None
    parts = []
    for target in bad[:shown]:
        job = target["last_job"]
        if job:
            last = "last job %s %s" % (job["id"], job["state"])
            if job["errors"]:
                last += " (%s)" % job["errors"][0]["message"]
        else:
            last = "no finished job"
        since = ", last success %s" % target["last_success_at"] if target["last_success_at"] else ""
        parts.append("%s %s %s: %s, %s%s" % (target["cloud"], target["scope"], target["target"], target["verdict"], last, since))
    more = "; and %d more" % (len(bad) - shown) if len(bad) > shown else ""
    return "%d of %d targets are %s: %s%s." % (len(bad), len(status["targets"]), " or ".join(fail_when), "; ".join(parts), more)


def nothing_checked_detail(status: Dict[str, Any]) -> str:
    scopes = status.get("scopes") or []
    jobs = sum(s.get("jobs_in_window", 0) for s in scopes)
    return "%d scope%s read (%s), %d job%s in the window, no target listed by CM or named by a job." % (
        len(scopes),
        "" if len(scopes) == 1 else "s",
        ", ".join("%s %s" % (s["cloud"], s["scope"]) for s in scopes) or "none",
        jobs,
        "" if jobs == 1 else "s",
    )


def offender_records(status: Dict[str, Any], verdicts: Iterable[str]) -> List[Dict[str, Any]]:
    """Each target whose verdict is in ``verdicts``, as a record an AWX workflow can act on."""
    records = []
    wanted = set(verdicts)
    for target in status.get("targets") or []:
        if target["verdict"] not in wanted:
            continue
        job = target.get("last_job") or {}
        records.append(
            {
                "cloud": target["cloud"],
                "scope": target["scope"],
                "target": target["target"],
                "verdict": target["verdict"],
                "last_job_id": job.get("id"),
                "reason": offender_reason(target),
            }
        )
    return records


def offender_reason(target: Dict[str, Any]) -> str:
    """Why a target is not in sync, in one sentence."""
    job = target.get("last_job") or {}
    verdict = target["verdict"]
    if verdict == FAILING:
        error = (job.get("errors") or [{}])[0].get("message")
        return "its last job %s ended %s%s" % (job.get("id"), job.get("state"), ": %s" % error if error else "")
    if verdict == STALE:
        return "last synchronized %s, longer ago than max_age" % target.get("last_success_at")
    if verdict == NEVER:
        return "no covering job succeeded in the history read"
    if verdict == RUNNING:
        return "no success within max_age; job %s runs" % (target.get("running_job") or {}).get("id")
    return "synchronized %s" % target.get("last_success_at")


def scopes_for(clouds: Optional[List[str]], scopes: Optional[List[str]]) -> List[Tuple[Cloud, str]]:
    """(cloud, scope) pairs to read: every scope of the given clouds (all clouds by default), or only ``scopes``."""
    chosen = [CLOUDS[name] for name in (clouds or list(CLOUDS))]
    return [(cloud, scope) for cloud in chosen for scope in cloud.scopes if not scopes or scope in scopes]
