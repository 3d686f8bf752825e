# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cancelling synchronization jobs: each running one once, and a lost answer looked at before anything is resent.

Internal to ciphertrust.cckm: not a public API, may change without notice.

A cancel is a write (``POST <path>/<id>/cancel``): it goes through ``write_looking_first``. After a lost answer
the job is read first - aborting, or ended, means the cancel (or the job's own end) happened, and nothing is
sent again. A refusal (CM answers a 4xx, as it does for a job that has just ended) is looked at the same way.
"""

from __future__ import annotations

import time
from typing import Any, Callable, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, permission_error
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import job_targets
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import FINISHED_STATES, normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.looking_first import write_looking_first

Job = Any


class Cancelled(NamedTuple):
    latest: List[Job]
    """Every job given, in its latest known state (normalized)."""
    cancelled: List[str]
    """Ids of the jobs this call cancelled (not those already ending, nor those that ended by themselves)."""


def cancel(
    client: Any,
    cloud: Cloud,
    scope: str,
    jobs: List[Job],
    check_mode: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Optional[float] = None,
    clock: Callable[[], float] = time.monotonic,
) -> Cancelled:
    """Cancel the running ones of ``jobs`` (normalized)."""
    latest: List[Job] = []
    cancelled: List[str] = []
    for job in jobs:
        if job["state"] in FINISHED_STATES or job.get("abort") is True:  # ended, or already being cancelled
            latest.append(job)
        elif check_mode:
            latest.append(job)
            cancelled.append(job["id"])
        else:
            now = cancel_one(client, cloud, scope, job, sleep, deadline, clock)
            latest.append(now)
            if now.get("abort") is True or now["state"] not in FINISHED_STATES:
                cancelled.append(job["id"])  # not when it ended by itself before the cancel reached it
    return Cancelled(latest, cancelled)


def cancel_one(
    client: Any,
    cloud: Cloud,
    scope: str,
    job: Job,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Optional[float] = None,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Cancel one running job; its state afterwards (aborting, or ended by itself meanwhile)."""
    job_id = job["id"]
    listed = job_targets(cloud, job)
    named = "%s=%s" % (cloud.target_option, ",".join(listed)) if listed else "every target of %s %s" % (cloud.name, scope)

    def look() -> Optional[Job]:
        """The job once the cancel (or its own end) happened; None while it runs on as if never cancelled."""
        now = client.get_job(cloud.job_path(scope, job_id))
        if now is None:
            raise CckmError(
                "Synchronization job %s is gone from CipherTrust Manager (404) while it was cancelled." % job_id, status=404
            )
        now = normalize_job(now)
        return now if now.get("abort") is True or now["state"] in FINISHED_STATES else None

    def refused(error: CckmError) -> Job:
        if error.status in (401, 403):  # refused for who we are: nothing happened, nothing to look for
            raise permission_error(error, "cancel %s %s synchronization job %s" % (cloud.name, scope, job_id), named)
        now = look()
        if now is None:
            raise error.reword(
                "CipherTrust Manager refused to cancel %s %s synchronization job %s (HTTP %s%s), which still runs."
                % (cloud.name, scope, job_id, error.status, error.cm_reason())
            )
        return now

    answer = write_looking_first(
        lambda: client.post(cloud.cancel_path(scope, job_id)),
        look,
        "cancel %s %s synchronization job %s" % (cloud.name, scope, job_id),
        request_timeout=float(getattr(client, "request_timeout", 30.0)),
        sleep=sleep,
        refused=refused,
        deadline=deadline,
        clock=clock,
    )
    if isinstance(answer, dict) and answer.get("id") and "state" not in answer:
        return normalize_job(answer)  # CM's answer to the POST
    return answer if isinstance(answer, dict) and answer.get("id") else job
