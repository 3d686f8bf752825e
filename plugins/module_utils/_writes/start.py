# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Starting a synchronization job without ever starting two from one request.

Internal to ciphertrust.cckm: not a public API, may change without notice.

A start first lists the running jobs of the scope and reuses one that covers the request. A POST
is never sent again blindly: after a lost answer or a server error the running jobs are listed
first, and a new job that covers the request is adopted (CM started it) before any retry. A
refusal (CM answers a 4xx because a sync is running; its status and words are undocumented) is
also answered by listing: a covering job is reused, another running job is named.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, permission_error
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import (
    TargetIndex,
    named_targets,
    synchronizes_all,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import describe_job, newest_jobs, running_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import newest_first, normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.looking_first import write_looking_first

Job = Dict[str, Any]


class StartRequest(NamedTuple):
    """What to synchronize: targets (or all of them) in one cloud's scope."""

    cloud: Cloud
    scope: str
    targets: List[str]
    regions: List[str]
    synchronize_all: bool
    take_cloud_key_backup: Optional[bool] = None

    @property
    def path(self) -> str:
        return self.cloud.scope(self.scope).path

    def body(self) -> Dict[str, Any]:
        """The start body, under the names the API wants (``organization_ids`` for Salesforce)."""
        body: Dict[str, Any] = (
            {"synchronize_all": True} if self.synchronize_all else {self.cloud.scope(self.scope).start_targets: self.targets}
        )
        if self.regions:
            body["regions"] = self.regions
        if self.take_cloud_key_backup is not None:
            body["take_cloud_key_backup"] = self.take_cloud_key_backup
        return body

    def describe(self) -> str:
        what = (
            "everything (synchronize_all)"
            if self.synchronize_all
            else "%s=%s" % (self.cloud.target_option, ",".join(self.targets))
        )
        if self.regions:
            what += " regions=%s" % ",".join(self.regions)
        return "%s %s synchronization of %s" % (self.cloud.name, self.scope, what)


class StartOutcome(NamedTuple):
    job: Optional[Job]
    """The started or reused job (normalized); None in check mode when a job would be started."""
    changed: bool
    reused: bool


def covering_jobs(jobs: List[Job], request: StartRequest) -> List[Job]:
    """The jobs of ``jobs`` that already do what ``request`` asks (a job of everything covers any request)."""
    wanted = named_targets(request.cloud, request.targets)
    return [job for job in jobs if _does(job, request, wanted)]


def covers(job: Job, request: StartRequest) -> bool:
    """Whether a running job already does what ``request`` asks."""
    return bool(covering_jobs([job], request))


def _does(job: Job, request: StartRequest, wanted: TargetIndex) -> bool:
    if request.synchronize_all and not synchronizes_all(request.cloud, job):
        return False
    if not wanted.covers_all(job):
        return False
    job_regions = job.get("regions") or []  # none: every region
    return not job_regions or (bool(request.regions) and set(request.regions) <= set(job_regions))


def start_or_reuse(
    client: Any,
    request: StartRequest,
    reuse_running: bool = True,
    check_mode: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    deadline: Optional[float] = None,
    clock: Callable[[], float] = time.monotonic,
) -> StartOutcome:
    """Reuse a running job that covers ``request``, or start one: at most one job, whatever CM answers.

    ``deadline`` (a ``clock()`` time, the task's own timeout with ``wait: true``): no pause runs past
    it and no POST is sent that could not be answered before it, so a CM slower than
    ``request_timeout`` holds the task for about its timeout, not for every attempt's full length.
    """
    running = running_jobs(client, request.cloud, request.scope)
    covering = covering_jobs(running, request)
    if reuse_running and covering:
        return StartOutcome(covering[0], changed=False, reused=True)
    if check_mode:
        return StartOutcome(None, changed=True, reused=False)
    # The jobs there were before the POST: the running ones and the newest (a job started and ended within the
    # seconds a look after a lost answer takes must still be recognized as this start's, not started again).
    known = {job["id"] for job in running + newest_jobs(client, request.cloud, request.scope)}

    def started_now() -> Optional[StartOutcome]:
        """The job the POST started: one that was not there before, covers the request, running or already ended."""
        now = running_jobs(client, request.cloud, request.scope) + newest_jobs(client, request.cloud, request.scope)
        started = newest_first([job for job in now if job["id"] not in known and covers(job, request)])
        if not started:
            return None
        if hasattr(client, "note_written"):  # its answer was lost: the client did not see it written
            client.note_written(str(started[0]["id"]))
        return StartOutcome(started[0], changed=True, reused=False)

    def refused(error: CckmError) -> StartOutcome:
        if error.status in (401, 403):  # refused for who we are: nothing started, nothing to look for
            raise permission_error(error, "start the %s" % request.describe(), request_targets(request))
        now_running = running_jobs(client, request.cloud, request.scope)
        covering = covering_jobs(now_running, request)
        if reuse_running and covering:  # refused because a job that does it runs (started meanwhile)
            return StartOutcome(covering[0], changed=False, reused=True)
        raise start_refused_error(error, request, now_running, covering) from None

    def gave_up(failure: CckmError, posts: int, cut_short: bool) -> CckmError:
        why = " (the task's timeout left no time for another)" if cut_short else ""
        return failure.reword(
            "%s Gave up after %s%s; after each the running jobs were listed and none had been started, so no job "
            "runs for this request." % (failure.message.rstrip(".") + ".", "1 POST" if posts == 1 else "%d POSTs" % posts, why)
        )

    answer = write_looking_first(
        lambda: client.post(request.path, request.body()),
        started_now,
        "start the %s" % request.describe(),
        request_timeout=float(getattr(client, "request_timeout", 30.0)),
        sleep=sleep,
        refused=refused,
        gave_up=gave_up,
        deadline=deadline,
        clock=clock,
    )
    if isinstance(answer, StartOutcome):  # found by a look after a lost answer, or reused after a refusal
        return answer
    if isinstance(answer, dict) and answer.get("id"):
        return StartOutcome(normalize_job(answer), changed=True, reused=False)
    found = started_now()  # a 2xx without the job: find it
    if found is not None:
        return found
    raise CckmError(
        "CipherTrust Manager accepted the start of the %s (POST %s) but answered no job, and no new job runs "
        "there; list the jobs with the cloud's info module." % (request.describe(), request.path)
    )


def request_targets(request: StartRequest) -> str:
    """What a start names, for a message: ``kms=kms-prod,kms-dr`` or every target of the scope."""
    if request.synchronize_all:
        return "every %s target of %s %s" % (request.cloud.title, request.cloud.name, request.scope)
    return "%s=%s" % (request.cloud.target_option, ",".join(request.targets))


def start_refused_error(error: CckmError, request: StartRequest, running: List[Job], covering: List[Job]) -> CckmError:
    """CM's 4xx answer to a start, explained by the running jobs when there are any."""
    if not running:
        if error.status == 400 and request.cloud.unconfirmed and not request.synchronize_all:
            field = request.cloud.scope(request.scope).start_targets
            return error.reword(
                "%s The start body's field for the targets of %s is not confirmed by the vendor's API pages (it was sent "
                "as %r): this CM may name it otherwise. Try synchronize_all: true, and tell the collection's maintainers "
                "what CM answered." % (error.message.rstrip(".") + ".", request.cloud.title, field)
            )
        return error
    names = "; ".join(describe_job(request.cloud, job) for job in running[:3])
    if covering:
        hint = "set reuse_running: true to return it instead, or wait for it"
    else:
        hint = "wait for it (sync_job_wait with cloud=%s scope=%s id=%s) and start again" % (
            request.cloud.name,
            request.scope,
            running[0]["id"],
        )
    return error.reword(
        "CipherTrust Manager refused to start the %s (HTTP %s%s) while a synchronization runs: %s. To go on, %s."
        % (request.describe(), error.status, error.cm_reason(), names, hint)
    )
