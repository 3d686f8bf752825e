# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and main of ``sync_job``: start (or reuse) and cancel synchronization jobs, then optionally wait.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, TARGET_OPTIONS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import named_targets, synchronizes_all
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery, running_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import CANCELLED, FINISHED_STATES, normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import IdWatch, TargetWatch, Watch
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.module import (
    checked_scope,
    checked_targets,
    client_from_module,
    connection_argspec,
    fail_from_error,
    new_module,
    validate_filter_values,
    validate_job_id,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.wait import (
    TIMING_DEFAULTS,
    check_timing,
    timing_argspec,
    wait_and_report,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.cancel import cancel
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.start import StartRequest, start_or_reuse


def sync_job_argspec() -> Dict[str, Dict[str, Any]]:
    """Options of ``sync_job``: connection, what to start or cancel, and the wait's options."""
    spec = connection_argspec()
    spec.update(
        cloud={"type": "str", "required": True, "choices": sorted(CLOUDS)},
        scope={"type": "str"},
        state={"type": "str", "default": "started", "choices": ["started", "cancelled"]},
        synchronize_all={"type": "bool", "default": False},
        take_cloud_key_backup={"type": "bool"},
        id={"type": "list", "elements": "str"},
        reuse_running={"type": "bool", "default": True},
        wait={"type": "bool", "default": False},
    )
    spec.update(timing_argspec(defaults=False))  # given without wait: true is warned about; defaults applied after
    for option in TARGET_OPTIONS:
        spec[option] = {"type": "list", "elements": "str", "no_log": False}
    return spec


def start_request_from_params(params: Dict[str, Any]) -> StartRequest:
    """The start asked for, checked before any request."""
    cloud = CLOUDS[params["cloud"]]
    scope = checked_scope(cloud, params.get("scope"))
    targets = checked_targets(cloud, params)
    if params.get("id") is not None:
        raise CckmInputError("id", "names jobs to cancel: it goes with state: cancelled, not with state: started.")
    if targets and params["synchronize_all"]:
        raise CckmInputError(
            cloud.target_option, "cannot be given with synchronize_all: true; give the targets, or synchronize all of them."
        )
    if not targets and not params["synchronize_all"]:
        raise CckmInputError(
            cloud.target_option,
            "is required to start a synchronization: give the %s to synchronize (%s: [name1, name2]), or "
            "synchronize_all: true." % (cloud.target_option, cloud.target_option),
        )
    regions = validate_filter_values("regions", params.get("regions")) if params.get("regions") else []
    if params.get("take_cloud_key_backup") is not None and not cloud.scope(scope).backup:
        backed_up = " and ".join("%s %s" % (c.name, name) for c in CLOUDS.values() for name, s in c.scopes.items() if s.backup)
        raise CckmInputError(
            "take_cloud_key_backup", "applies to %s synchronization only, not to %s %s." % (backed_up, cloud.name, scope)
        )
    return StartRequest(cloud, scope, targets, regions, params["synchronize_all"], params.get("take_cloud_key_backup"))


def _jobs_to_cancel(client: Any, cloud: Cloud, scope: str, params: Dict[str, Any]) -> List[Dict[str, Any]]:
    ids = [validate_job_id("id", job_id) for job_id in params.get("id") or []]
    targets = checked_targets(cloud, params)
    if params.get("id") is not None and not ids:
        raise CckmInputError("id", "is an empty list; give the ids of the jobs to cancel.")
    if ids and (targets or params["synchronize_all"]):
        raise CckmInputError(
            "id",
            "cannot be given with %s or synchronize_all: cancel given jobs, or the running jobs of targets."
            % cloud.target_option,
        )
    if not ids and not targets and not params["synchronize_all"]:
        raise CckmInputError(
            "id",
            "nothing to cancel was given: give the job ids (id), the %s whose running jobs to cancel, or "
            "synchronize_all: true to cancel every running job of the scope." % cloud.target_option,
        )
    if ids:
        jobs = []
        for job_id in ids:
            job = client.get_job(cloud.job_path(scope, job_id))
            if job is None:
                raise CckmError(
                    "No %s %s synchronization job with id %s (CM answered 404); nothing was cancelled. Check the id, the cloud "
                    "and the scope." % (cloud.name, scope, job_id),
                    status=404,
                )
            jobs.append(normalize_job(job))
        return jobs
    running = running_jobs(client, cloud, scope, targets if cloud.filter_option else None)
    if targets:  # the CM filter (where there is one) first, then the job's own list: luna has no filter
        named = named_targets(cloud, targets)  # a job of everything is not stopped for one of its targets
        running = [job for job in running if not synchronizes_all(cloud, job) and named.covered_by(job)]
    return running


def nothing_to_cancel_warning(cloud: Cloud, scope: str, params: Dict[str, Any]) -> str:
    """What a cancel by targets (or of everything) that found no running job says."""
    targets = checked_targets(cloud, params)
    what = "%s=%s" % (cloud.target_option, ",".join(targets)) if targets else "any target"
    return (
        "No %s %s synchronization job for %s is running, so nothing was cancelled. Check the names, the cloud and "
        "the scope (the cloud's info module with overall_status: in_progress lists what runs)." % (cloud.name, scope, what)
    )


def everything_warning(request: StartRequest) -> str:
    """CM started a synchronization of everything for a start that named targets (an unconfirmed start field)."""
    field = request.cloud.scope(request.scope).start_targets
    return (
        "CipherTrust Manager started a synchronization of every %s target, though this start named %s=%s (sent as %r): "
        "CM ignored the targets%s."
        % (
            request.cloud.name,
            request.cloud.target_option,
            ",".join(request.targets),
            field,
            "; the start body's field for them is not confirmed by the vendor's API pages" if request.cloud.unconfirmed else "",
        )
    )


def started_or_reused(job: Optional[Dict[str, Any]], reused: bool) -> str:
    """Who started the job a start waits for, for a timeout's message: the job runs on, and whose it is matters
    before cancelling it (a reused job may be another user's, or a schedule's run). No job (check mode): nothing."""
    if not job:
        return ""
    if reused:
        return "This task started no job: it reused job %s, already running and covering the targets." % job["id"]
    return "This task started job %s." % job["id"]


WAIT_ONLY = ("timeout", "poll_interval", "max_poll_interval", "fail_on", "progress_interval", "progress_file")
"""Options that only a wait reads: given without ``wait: true``, they are warned about."""


def run_sync_job_module() -> None:
    module = new_module(sync_job_argspec())
    params = module.params
    cloud = CLOUDS[params["cloud"]]
    result: Dict[str, Any] = {"changed": False, "reused": False, "sync_jobs": []}
    unused = [option for option in WAIT_ONLY if params.get(option) is not None and not params["wait"]]
    if unused:
        module.warn(
            "%s %s effect only with wait: true, which this task does not set; add wait: true to wait for the job, "
            "or drop %s." % (" and ".join(unused), "has" if len(unused) == 1 else "have", "it" if len(unused) == 1 else "them")
        )
    params.update({option: value for option, value in TIMING_DEFAULTS.items() if params.get(option) is None})
    try:
        check_timing(params)
        if params["state"] == "started":
            request = start_request_from_params(params)
            client = client_from_module(module, give_up_after=params["timeout"] if params["wait"] else None)
            outcome = start_or_reuse(
                client, request, params["reuse_running"], module.check_mode, deadline=client.deadline, clock=client.clock
            )
            result.update(changed=outcome.changed, reused=outcome.reused, sync_jobs=[outcome.job] if outcome.job else [])
            if outcome.changed and outcome.job and request.targets and synchronizes_all(cloud, outcome.job):
                module.warn(everything_warning(request))
            watched = [outcome.job["id"]] if outcome.job else []
            scope = request.scope
            fail_on = params["fail_on"]
            # with targets named, each target is judged by its newest covering job: this one, or a newer one
            targets, floor = request.targets, outcome.job
            origin, stopping = started_or_reused(outcome.job, outcome.reused), False
        else:
            scope = checked_scope(cloud, params.get("scope"))
            client = client_from_module(module, give_up_after=params["timeout"] if params["wait"] else None)
            jobs = _jobs_to_cancel(client, cloud, scope, params)
            if not jobs:
                module.warn(nothing_to_cancel_warning(cloud, scope, params))
            latest, cancelled = cancel(
                client, cloud, scope, jobs, module.check_mode, deadline=client.deadline, clock=client.clock
            )
            result.update(changed=bool(cancelled), sync_jobs=latest)
            # wait for every job still stopping, those cancelled by someone else a moment ago too
            watched = [] if module.check_mode else [job["id"] for job in latest if job["state"] not in FINISHED_STATES]
            fail_on = [state for state in params["fail_on"] if state != CANCELLED]  # a cancelled job is the goal
            targets, floor = [], None
            origin = "This task asked CM to cancel %s." % ", ".join(cancelled) if cancelled else ""
            stopping = True  # the cancel is sent: what is left is to see the jobs stop
    except CckmError as error:
        fail_from_error(module, error, **result)
    if params["wait"] and watched:
        left = dict(params, timeout=max(0.0, client.deadline - client.clock()))  # one timeout for start and wait
        if targets:
            query = JobQuery(cloud, scope=scope, filter_values=targets)
            watch: Watch = TargetWatch(client, query, targets, floor=floor)
        else:
            query = JobQuery(cloud, scope=scope, ids=watched)
            watch = IdWatch(client, query, watched)
        wait_and_report(module, watch, query, left, fail_on, origin, stopping, changed=result["changed"], reused=result["reused"])
    module.exit_json(**result)
