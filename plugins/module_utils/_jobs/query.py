# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding synchronization jobs: one query per cloud/scope/filter, normalized and newest first.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import job_targets
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    IN_PROGRESS,
    STATUS_FILTER_SPELLINGS,
    newest_first,
    normalize_job,
)

Job = Dict[str, Any]


class JobQuery:
    """What to look for: a cloud's scope, optional ids, scope filter values, status and sort."""

    def __init__(
        self,
        cloud: Cloud,
        scope: Optional[str] = None,
        ids: Optional[List[str]] = None,
        filter_values: Optional[List[str]] = None,
        overall_status: Optional[str] = None,
        sort: Optional[str] = None,
    ) -> None:
        self.cloud = cloud
        self.scope = scope or cloud.default_scope
        self.path = cloud.scope(self.scope).path
        self.ids = list(ids or [])
        self.filter_values = list(filter_values or [])
        self.overall_status = overall_status
        self.sort = sort

    def query_params(self) -> Dict[str, Any]:
        """Query keys common to every listing request (list values go out as repeated keys)."""
        params: Dict[str, Any] = {}
        if self.ids:
            params["id"] = self.ids
        if self.filter_values and self.cloud.filter_option:
            params[self.cloud.filter_option] = self.filter_values
        if self.sort:
            params["sort"] = self.sort
        return params

    def describe(self) -> str:
        """``aws keys synchronization job matching kms=kms-prod`` (the words a message needs)."""
        what = "%s %s synchronization job" % (self.cloud.name, self.scope)
        if self.ids:
            return "%s with id %s" % (what, ",".join(self.ids))
        if self.filter_values and self.cloud.filter_option:
            return "%s matching %s=%s" % (what, self.cloud.filter_option, ",".join(self.filter_values))
        return what

    def status_spellings(self) -> Tuple[Optional[str], ...]:
        """One listing per raw spelling CM may store for the wanted status (None: no status filter)."""
        if not self.overall_status:
            return (None,)
        return STATUS_FILTER_SPELLINGS[self.overall_status]


def find_jobs(client: Any, query: JobQuery, skip: int = 0, limit: Optional[int] = None) -> Tuple[List[Dict[str, Any]], int]:
    """Normalized jobs matching ``query``, newest first (in CM's order with ``sort``), and how many match.

    A status with several spellings (``in_progress`` / ``in progress``) is one listing per spelling,
    because the API pages do not say whether CM's filter matches one spelling or all of them; see
    ``merge_spellings`` for how both kinds of CM give the same answer.
    """
    spellings = query.status_spellings()
    params = query.query_params()
    if len(spellings) == 1:
        if spellings[0]:
            params["overall_status"] = spellings[0]
        jobs, total = client.read_listing(query.path, params, skip=skip, limit=limit)
    else:
        window = None if limit is None else skip + limit
        listings = []
        for spelling in spellings:
            found, counted = client.read_listing(query.path, dict(params, overall_status=spelling), skip=0, limit=window)
            listings.append((spelling, found, counted))
            if matches_other_spellings(spelling, spellings, found):
                break  # this CM's filter is lenient: one listing already holds every spelling
        jobs, total = merge_spellings(listings, spellings)
        if query.sort:
            sort_like_cm(jobs, query.sort)
        jobs = jobs[skip:] if limit is None else jobs[skip : skip + limit]
    for job in jobs:
        normalize_job(job)
    return (jobs if query.sort else newest_first(jobs)), total


def matches_other_spellings(spelling: str, spellings: Sequence[Optional[str]], jobs: List[Dict[str, Any]]) -> bool:
    """True when a listing filtered on ``spelling`` holds a job stored with another of ``spellings``."""
    others = set(spellings) - {spelling}
    return any(job.get("overall_status") in others for job in jobs)


def merge_spellings(
    listings: List[Tuple[str, List[Dict[str, Any]], int]], spellings: Sequence[Optional[str]]
) -> Tuple[List[Dict[str, Any]], int]:
    """One list and one total from one listing per spelling: ``(spelling, jobs, total)`` each.

    An exact-match filter gives disjoint listings: their totals add up. A lenient filter (one that
    also matches the other spellings) gives a listing that holds them all: it shows by a job stored
    with another spelling, or by a job that two listings share, and then its total alone is true.
    Either way each job is kept once, newest first.
    """
    seen: Dict[Any, int] = {}
    jobs: List[Dict[str, Any]] = []
    for _spelling, found, _total in listings:
        for job in found:
            seen[job.get("id")] = seen.get(job.get("id"), 0) + 1
            if seen[job.get("id")] == 1:
                jobs.append(job)
    lenient = any(count > 1 for count in seen.values()) or any(
        matches_other_spellings(spelling, spellings, found) for spelling, found, _total in listings
    )
    total = max(counted for _spelling, _found, counted in listings) if lenient else sum(t for _s, _f, t in listings)
    return newest_first(jobs), total


_SORT = re.compile(r"^[+-]?[A-Za-z_][A-Za-z0-9_.]*(,[+-]?[A-Za-z_][A-Za-z0-9_.]*)*$")


def valid_sort(sort: str) -> bool:
    """Whether ``sort`` has CM's form: comma-separated properties, each optionally prefixed by ``-`` (descending)."""
    return bool(_SORT.match(sort))


def sort_like_cm(jobs: List[Dict[str, Any]], sort: str) -> List[Dict[str, Any]]:
    """Order ``jobs`` in place as CM orders a listing for ``sort`` (used where two listings are merged)."""
    for field in reversed(sort.split(",")):  # stable sorts, last key first
        name = field.lstrip("+-")
        jobs.sort(key=lambda job: str(job.get(name) or ""), reverse=field.startswith("-"))
    return jobs


def running_jobs(client: Any, cloud: Cloud, scope: str, filter_values: Optional[List[str]] = None) -> List[Job]:
    """The jobs of the scope in progress now (normalized), newest first."""
    jobs, _total = find_jobs(client, JobQuery(cloud, scope=scope, filter_values=filter_values, overall_status=IN_PROGRESS))
    return [job for job in jobs if job["state"] == IN_PROGRESS]


RECENT_JOBS = 50
"""The newest jobs of a scope a write reads before and after itself, to tell the job it made from those there were."""


def newest_jobs(client: Any, cloud: Cloud, scope: str, limit: int = RECENT_JOBS) -> List[Job]:
    """The newest ``limit`` jobs of the scope (normalized), whatever their state: one listing request."""
    return find_jobs(client, JobQuery(cloud, scope=scope), limit=limit)[0]


def describe_job(cloud: Cloud, job: Job) -> str:
    targets = job_targets(cloud, job)
    return "%s (%s, started %s)" % (
        job.get("id"),
        "%s=%s" % (cloud.target_option, ",".join(targets)) if targets else "everything",
        job.get("createdAt", "at an unknown time"),
    )
