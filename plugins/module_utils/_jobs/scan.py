# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One poll's reads of a scope, newest first and then by id: a cost that does not grow with CM's history.

Internal to ciphertrust.cckm: not a public API, may change without notice.

CM has no push, so a wait (``watch.TargetWatch``, ``watch.FilterWatch``) and the event source (``_eda.source``) poll. The
first look finds the running jobs with the ``overall_status`` filter (one listing per spelling,
merged as the info modules do) and reads the newest page. A later look reads the newest pages only
until they reach jobs older than the previous look, and asks each job known to be running that was
not on them by id. A job stuck in progress since 2022 so costs one GET a poll, not a walk through
10,000 jobs of history.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery, find_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import IN_PROGRESS, created, newest_first

Job = Dict[str, Any]

NEWEST_PAGE = 50
"""Jobs read per page of a look beyond the running ones: what starts in a scope between two polls fits on one."""
MAX_PAGE = 1000
"""The largest page asked for (CM may cap it lower; the look then reads on)."""
FEW = 5
"""Running jobs missing from the newest pages that are asked for by id; more than this, and pages are read on first."""


class Look(NamedTuple):
    """What one look saw."""

    jobs: List[Job]
    """Every job read (the newest pages, the running ones, those asked for by id), each once, newest first."""
    gone: List[str]
    """Ids that were running and that CM now answers 404 for (deleted)."""
    newest: str
    """``createdAt`` of the newest job seen so far: the mark the next look reads back to."""
    reach: str = ""
    """``createdAt`` of the oldest job of the newest pages read (every job newer is in ``jobs``); ``""`` when the
    listing was read to its end."""


def look(client: Any, query: JobQuery, running: Iterable[str], since: Optional[str], page_size: int = NEWEST_PAGE) -> Look:
    """Read what changed in ``query``'s scope since the look that saw ``since`` (None: a first look).

    ``running``: ids known to be in progress. The few not on the pages read are asked for by id;
    when more are missing (200 jobs started at once, below the newest page), the listing is read on
    newest first while a page costs less than the GETs it saves. ``page_size``: jobs on the first
    page (a caller watching many jobs asks for that many more).
    """
    running = sorted(set(map(str, running)))
    params = query.query_params()
    seen: Dict[str, Job] = {}

    def keep(jobs: Iterable[Job]) -> None:
        for job in jobs:
            seen.setdefault(str(job.get("id")), job)

    def missing() -> List[str]:
        return [job_id for job_id in running if job_id not in seen]

    skip, total = 0, None
    size = min(MAX_PAGE, page_size)
    reach = ""

    def reached(page: List[Job]) -> str:
        return "" if not page or skip >= (total or 0) else created(page[-1])

    if since is None:
        page, total = client.list_page(query.path, params, 0, size)
        keep(page)
        skip = len(page)
        reach = reached(page)
        in_progress = JobQuery(query.cloud, scope=query.scope, filter_values=query.filter_values, overall_status=IN_PROGRESS)
        keep(find_jobs(client, in_progress)[0])
    else:
        while True:
            page, total = client.list_page(query.path, params, skip, size)
            keep(page)
            skip += len(page)
            reach = reached(page)
            if not page or skip >= total or any(created(job) <= since for job in page):
                break
    pages_on = 0
    while len(missing()) > FEW and pages_on < len(missing()) and total is not None and skip < total:
        page, total = client.list_page(query.path, params, skip, MAX_PAGE)
        if not page:
            break
        keep(page)
        skip += len(page)
        reach = reached(page)
        pages_on += 1
    gone = []
    for job_id in missing():
        job = client.get_job(query.cloud.job_path(query.scope, job_id))
        if job is None:
            gone.append(job_id)
        else:
            keep([job])
    newest = max([since or ""] + [created(job) for job in seen.values()])
    return Look(newest_first(list(seen.values())), gone, newest, reach)
