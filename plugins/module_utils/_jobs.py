# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding synchronization jobs: one query per cloud/scope/filter, normalized and newest first.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._states import (
    STATUS_FILTER_SPELLINGS,
    newest_first,
    normalize_job,
)


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

    def status_spellings(self) -> Tuple[Optional[str], ...]:
        """One listing per raw spelling CM may store for the wanted status (None: no status filter)."""
        if not self.overall_status:
            return (None,)
        return STATUS_FILTER_SPELLINGS[self.overall_status]


def list_jobs(client: Any, query: JobQuery, skip: int = 0, limit: Optional[int] = None) -> Tuple[List[Dict[str, Any]], int]:
    """Normalized jobs matching ``query``, newest first, and the total CM counts for it.

    A status with several spellings (``in_progress`` / ``in progress``) is one listing per
    spelling, merged; ``skip``/``limit`` then apply to the merged, newest-first list.
    """
    spellings = query.status_spellings()
    params = query.query_params()
    if len(spellings) == 1:
        if spellings[0]:
            params["overall_status"] = spellings[0]
        jobs, total = client.list_jobs(query.path, params, skip=skip, limit=limit)
    else:
        jobs, total = [], 0
        window = None if limit is None else skip + limit
        for spelling in spellings:
            found, counted = client.list_jobs(query.path, dict(params, overall_status=spelling), skip=0, limit=window)
            jobs.extend(found)
            total += counted
        newest_first(jobs)
        jobs = jobs[skip:] if limit is None else jobs[skip : skip + limit]
    for job in jobs:
        normalize_job(job)
    return newest_first(jobs), total
