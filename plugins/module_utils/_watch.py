# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one poll of a wait looks at: given job ids, or every job matching a scope filter.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Set, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scan import NEWEST_PAGE, look
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
    """Watch every job that matches the scope filter and is in progress, at a cost flat in CM's history.

    Each poll is one ``_scan.look``: the first finds the running jobs with the status filter and
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
