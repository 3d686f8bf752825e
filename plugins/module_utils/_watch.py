# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one poll of a wait looks at: given job ids, or every job matching a scope filter.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Set, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._states import (
    FINISHED_STATES,
    IN_PROGRESS,
    newest_first,
    normalize_job,
)

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


class IdWatch:
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


class FilterWatch:
    """Watch every job that matches the scope filter and is in progress: one listing per poll.

    The first poll pages through all matching jobs to find those in progress. Later polls read the
    listing newest first only until every watched job has been seen again (usually one page), and
    start watching jobs that began since. A watched job missing from the whole listing is asked for
    by id: gone from CM (404) ends the wait. If nothing is in progress, the newest matching job is
    the result.
    """

    def __init__(self, client: JobReader, query: JobQuery, page_size: int = 1000) -> None:
        self.client = client
        self.query = query
        self.page_size = page_size
        self.watched: Dict[str, Dict[str, Any]] = {}
        self.newest: Optional[Dict[str, Any]] = None
        self.first = True

    def running(self) -> Set[str]:
        return {job_id for job_id, job in self.watched.items() if job["state"] not in FINISHED_STATES}

    def poll(self) -> Jobs:
        found, unseen = self._read(self.running())
        self.newest = None
        for job in found:
            normalize_job(job)
            if self.newest is None:
                self.newest = job
            if job["id"] in self.watched or job["state"] == IN_PROGRESS or (self.first and job["state"] not in FINISHED_STATES):
                self.watched[job["id"]] = job
        for job_id in sorted(unseen):  # not in the listing any more: moved past its end, or deleted
            job = self.client.get_job(self.query.cloud.job_path(self.query.scope, job_id))
            if job is None:
                raise gone_error(self.query, job_id)
            self.watched[job_id] = normalize_job(job)
        self.first = False
        if not self.watched:
            return [self.newest] if self.newest else []
        return newest_first(list(self.watched.values()))

    def _read(self, wanted: Set[str]) -> Tuple[Jobs, Set[str]]:
        """Listing pages newest first: all on the first poll, else until ``wanted`` are all seen; and those never seen."""
        params = self.query.query_params()
        found: Jobs = []
        skip = 0
        while True:
            page, total = self.client.list_page(self.query.path, params, skip, self.page_size)
            found.extend(page)
            skip += len(page)
            wanted.difference_update(job.get("id") for job in page)
            if not page or skip >= total or (not self.first and not wanted):
                return found, wanted
