# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet status: is every target of every cloud and scope synchronized recently, and if not, why.

Internal to ciphertrust.cckm: not a public API, may change without notice.

A target is what a job synchronizes (a KMS account, a vault, a key ring, ...), listed by CM per cloud
(``Scope.targets``). Each scope's jobs are read newest first only until every target has a covering
success, or until the jobs are older than ``max_age``; each target still undecided then costs one
listing filtered on it (a cloud with no filter: one listing of completed jobs for the scope). Scopes
are read concurrently, so the fleet costs about what its largest scope costs.
"""

from __future__ import annotations

import datetime
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs import JobQuery, find_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._states import (
    CANCELLED,
    FAILED,
    FINISHED_STATES,
    IN_PROGRESS,
    PARTIAL,
    SUCCEEDED,
    normalize_job,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._sync_job import job_targets, synchronizes_all
from ansible_collections.ciphertrust.cckm.plugins.module_utils._times import UTC, parse_time, utc_text

Job = Dict[str, Any]

OK, RUNNING, FAILING, STALE, NEVER = "ok", "running", "failing", "stale", "never"
VERDICTS: Tuple[str, ...] = (OK, RUNNING, FAILING, STALE, NEVER)
FAIL_WHEN_CHOICES: Tuple[str, ...] = (STALE, FAILING, NEVER)
IN_SYNC_VERDICTS: Tuple[str, ...] = (OK, RUNNING)
DISCOVERED, SEEN = "discovered", "seen"
DEFAULT_MAX_AGE = "24h"

JOB_PAGE = 100
"""Jobs per page of a scope's newest-first read."""
LOOKUP_PAGE = 50
"""Jobs asked for in the one look-up of a target still undecided when the window ends."""
WINDOW_JOBS_KEPT = 200
"""Newest jobs of the window returned per scope (for the report's timeline)."""
WORKERS = 8
"""Scopes and target listings read at once."""

_ID_FIELDS = ("account_id", "vault_id", "azure_vault_id", "key_ring_id", "organization_id", "partition_id", "ocid")
"""Fields besides ``id`` and ``name`` by which a job or a ``detailed_status`` key may name a target."""


class Target:
    """One target of one scope, and what the jobs read so far say about it."""

    def __init__(self, cloud: Cloud, scope: str, name: str, target_id: Optional[str], identifiers: Set[str]) -> None:
        self.cloud = cloud
        self.scope = scope
        self.name = name
        self.target_id = target_id
        self.identifiers = identifiers
        self.last_job: Optional[Job] = None
        """The newest finished covering job, with this target's errors."""
        self.last_success: Optional[Job] = None
        self.running_job: Optional[Job] = None

    @property
    def decided(self) -> bool:
        return self.last_success is not None

    def names(self, key: str) -> bool:
        """Whether a job's entry or a ``detailed_status`` key (``123456789012/us-east-1``) names this target."""
        return key in self.identifiers or any(part in self.identifiers for part in re.split(r"/|::", key) if part)

    def see(self, job: Job) -> None:
        """Take one covering job into account; jobs come newest first, so the first of each kind stays."""
        state = job["state"]
        if state == IN_PROGRESS:
            if self.running_job is None:
                self.running_job = {"id": job.get("id"), "createdAt": job.get("createdAt"), "state": state}
            return
        if state not in FINISHED_STATES:
            return  # an unknown status says nothing about this target
        errors = [error for error in job.get("errors") or [] if self.names(error["target"])]
        outcome = (FAILED if errors else SUCCEEDED) if state == PARTIAL else state
        if self.last_job is None:
            self.last_job = {
                "id": job.get("id"),
                "state": state,
                "outcome": outcome,
                "overall_status": job.get("overall_status"),
                "createdAt": job.get("createdAt"),
                "completed_at": job.get("completed_at"),
                "errors": errors,
            }
        if outcome == SUCCEEDED and self.last_success is None:
            self.last_success = job

    def report(self, now: datetime.datetime, max_age: int) -> Dict[str, Any]:
        success_at = _finished_at(self.last_success) if self.last_success else None
        age = int((now - success_at).total_seconds()) if success_at else None
        if self.last_job and self.last_job["outcome"] in (FAILED, CANCELLED):
            verdict = FAILING
        elif age is not None and age <= max_age:
            verdict = OK
        elif self.running_job:
            verdict = RUNNING
        elif age is not None:
            verdict = STALE
        else:
            verdict = NEVER
        return {
            "cloud": self.cloud.name,
            "scope": self.scope,
            "target": self.name,
            "target_id": self.target_id,
            "verdict": verdict,
            "last_success_at": utc_text(success_at) if success_at else None,
            "age": max(age, 0) if age is not None else None,
            "last_job": self.last_job,
            "running_job": self.running_job,
        }


def _finished_at(job: Job) -> Optional[datetime.datetime]:
    return parse_time(job.get("completed_at")) or parse_time(job.get("updatedAt")) or parse_time(job.get("createdAt"))


def target_from_resource(cloud: Cloud, scope: str, resource: Dict[str, Any]) -> Target:
    """A target as CM lists it: every identifier a job may name it by (Azure: also ``<name>::<subscription>``)."""
    name = str(resource.get("name") or resource.get("id"))
    identifiers = {name}
    for field in ("id",) + _ID_FIELDS:
        if resource.get(field):
            identifiers.add(str(resource[field]))
    if resource.get("subscription_id"):
        identifiers.add("%s::%s" % (name, resource["subscription_id"]))
    target_id = str(resource["id"]) if resource.get("id") else None
    return Target(cloud, scope, name, target_id, identifiers)


def live_resources(resources: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The resources that are not archived (AWS KMS accounts carry ``status``)."""
    return [r for r in resources if str(r.get("status") or "").lower() != "archived"]


class ScopeStatus(NamedTuple):
    cloud: str
    scope: str
    targets_from: str
    targets: List[Dict[str, Any]]
    jobs: List[Job]
    """The window's newest jobs (at most WINDOW_JOBS_KEPT), compact, for a timeline."""
    jobs_in_window: int


class FleetQuery(NamedTuple):
    scopes: List[Tuple[Cloud, str]]
    max_age: int
    targets: str = DISCOVERED


def _compact(cloud: Cloud, job: Job) -> Job:
    return {
        "id": job.get("id"),
        "state": job["state"],
        "createdAt": job.get("createdAt"),
        "completed_at": job.get("completed_at"),
        "targets": job_targets(cloud, job),
    }


def scope_status(
    client: Any,
    cloud: Cloud,
    scope: str,
    max_age: int,
    now: datetime.datetime,
    resources: Optional[List[Dict[str, Any]]],
) -> ScopeStatus:
    """The verdict of every target of one scope. ``resources``: CM's listing, or None to take targets from jobs."""
    path = cloud.scope(scope).path
    targets: Dict[str, Target] = {}
    if resources is not None:
        for resource in live_resources(resources):
            target = target_from_resource(cloud, scope, resource)
            targets.setdefault(target.name, target)
    window_start = now - datetime.timedelta(seconds=max_age)

    def covered(job: Job, only: Optional[Target] = None) -> List[Target]:
        if synchronizes_all(cloud, job):  # a job of everything covers every target
            return [only] if only else list(targets.values())
        hits = []
        for entry in job_targets(cloud, job):
            found = [t for t in targets.values() if t.names(entry)]
            if not found and resources is None and only is None:
                found = [targets.setdefault(entry, Target(cloud, scope, entry, None, {entry}))]
            hits += [t for t in found if t not in hits]
        return [t for t in hits if only is None or t is only]

    window: List[Job] = []
    skip, total = 0, None
    while total is None or skip < total:
        page, total = client.list_page(path, {}, skip, JOB_PAGE)
        if not page:
            break
        skip += len(page)
        older = False
        for job in page:
            normalize_job(job)
            created = parse_time(job.get("createdAt"))
            if created is not None and created < window_start:
                older = True  # read anyway: it may decide a target without a look-up
            else:
                window.append(job)
            for target in covered(job):
                target.see(job)
        if older or (targets and all(t.decided for t in targets.values())):
            break
    # A job stuck in progress below the pages read: running jobs come from the status filter.
    running, _count = find_jobs(client, JobQuery(cloud, scope=scope, overall_status=IN_PROGRESS))
    for job in running:
        if job["state"] == IN_PROGRESS:
            for target in covered(job):
                target.see(job)
    undecided = [t for t in targets.values() if not t.decided]
    if undecided and cloud.filter_option:
        for target in undecided:
            values = sorted(target.identifiers)
            page, _total = client.list_page(path, {cloud.filter_option: values}, 0, LOOKUP_PAGE)
            for job in page:
                normalize_job(job)
                if target in covered(job, only=target):
                    target.see(job)
    elif undecided:
        page, _total = client.list_page(path, {"overall_status": "completed"}, 0, JOB_PAGE)
        for job in page:
            normalize_job(job)
            for target in covered(job):
                if not target.decided:
                    target.see(job)
    reports = [targets[name].report(now, max_age) for name in sorted(targets)]
    return ScopeStatus(
        cloud.name,
        scope,
        DISCOVERED if resources is not None else SEEN,
        reports,
        [_compact(cloud, job) for job in window[:WINDOW_JOBS_KEPT]],
        len(window),
    )


def forbidden_warning(cloud: Cloud, scope: str, error: CckmError) -> str:
    path = cloud.scope(scope).targets
    return (
        "CipherTrust Manager refused to list the %s targets (GET /api%s answered HTTP %s%s): the user needs "
        "permission to read them (a CCKM role that may view %s). Targets of %s %s are taken from its jobs "
        "instead (targets: seen), so a target never synchronized does not show."
        % (cloud.title, path, error.status, error.cm_reason(), path.rsplit("/", 1)[-1], cloud.name, scope)
    )


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
        paths = sorted({cloud.scope(scope).targets for cloud, scope in query.scopes})
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
    return {
        "targets": every,
        "counts": count_verdicts(every),
        "scopes": [
            {
                "cloud": s.cloud,
                "scope": s.scope,
                "targets_from": s.targets_from,
                "counts": count_verdicts(s.targets),
                "jobs": s.jobs,
                "jobs_in_window": s.jobs_in_window,
            }
            for s in scopes
        ],
        "in_sync": all(t["verdict"] in IN_SYNC_VERDICTS for t in every),
        "max_age": query.max_age,
        "checked_at": utc_text(now),
        "warnings": warnings,
    }


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
    """The failure message naming each target whose verdict is in ``fail_when``, or None when there is none."""
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


def scopes_for(clouds: Optional[List[str]], scopes: Optional[List[str]]) -> List[Tuple[Cloud, str]]:
    """(cloud, scope) pairs to read: every scope of the given clouds (all clouds by default), or only ``scopes``."""
    chosen = [CLOUDS[name] for name in (clouds or list(CLOUDS))]
    return [(cloud, scope) for cloud in chosen for scope in cloud.scopes if not scopes or scope in scopes]
