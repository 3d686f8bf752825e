# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and main of ``sync_job_wait``: validate, watch, wait, apply ``fail_on``, report.

Internal to ciphertrust.cckm: not a public API, may change without notice.
``sync_job`` with ``wait: true`` uses the same timing options and ``wait_and_report``.
"""

from __future__ import annotations

import datetime
import os
from typing import Any, Dict, List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, FILTER_OPTIONS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.progress import Progress, plural, write_progress
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    DEFAULT_FAIL_ON,
    FAIL_ON_CHOICES,
    FINISHED_STATES,
    summarize_states,
    unknown_status_warnings,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import WaitOutcome, wait_for_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import FilterWatch, IdWatch, TargetWatch, Watch
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.module import (
    checked_scope,
    client_from_module,
    connection_argspec,
    fail_from_error,
    misplaced_filter_message,
    new_module,
    validate_filter_values,
    validate_job_id,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.next_run import ScheduleRunWatch, schedule_to_wait_for

TIMING_DEFAULTS: Dict[str, Any] = {
    "timeout": 1800,
    "poll_interval": 2.0,
    "max_poll_interval": 30.0,
    "fail_on": list(DEFAULT_FAIL_ON),
}


def timing_argspec(defaults: bool = True) -> Dict[str, Dict[str, Any]]:
    """How long and how often a wait polls, and what fails it: the same in sync_job_wait and sync_job.

    ``defaults=False`` (sync_job) leaves them out of the argspec, so that an option given without
    ``wait: true`` can be told from one not given; the caller applies TIMING_DEFAULTS afterwards.
    """
    spec: Dict[str, Dict[str, Any]] = dict(
        timeout={"type": "int"},
        poll_interval={"type": "float"},
        max_poll_interval={"type": "float"},
        fail_on={"type": "list", "elements": "str", "choices": list(FAIL_ON_CHOICES)},
        progress_file={"type": "path"},
        progress_interval={"type": "float"},
    )
    if defaults:
        for option, value in TIMING_DEFAULTS.items():
            spec[option]["default"] = value
    return spec


def wait_argspec() -> Dict[str, Dict[str, Any]]:
    """Options of ``sync_job_wait``: connection, what to watch, and how long and how often."""
    spec = connection_argspec()
    spec.update(
        cloud={"type": "str", "required": True, "choices": sorted(CLOUDS)},
        scope={"type": "str"},
        id={"type": "list", "elements": "str"},
        schedule={"type": "str"},
    )
    spec.update(timing_argspec())
    for option in FILTER_OPTIONS:
        spec[option] = {"type": "list", "elements": "str", "no_log": False}
    return spec


def check_timing(params: Dict[str, Any]) -> None:
    """The timing options, checked before any request."""
    if params["timeout"] < 0:
        raise CckmInputError("timeout", "must be 0 or more seconds, got %d." % params["timeout"])
    if params["poll_interval"] <= 0:
        raise CckmInputError("poll_interval", "must be more than 0 seconds, got %s." % params["poll_interval"])
    if params["max_poll_interval"] < params["poll_interval"]:
        raise CckmInputError(
            "max_poll_interval",
            "must be at least poll_interval (%s), got %s." % (params["poll_interval"], params["max_poll_interval"]),
        )
    if params.get("progress_interval") is not None and params["progress_interval"] < 0:
        raise CckmInputError(
            "progress_interval", "must be 0 (no progress lines) or more seconds, got %s." % params["progress_interval"]
        )
    progress_file = params.get("progress_file")
    if progress_file:
        directory = os.path.dirname(os.path.abspath(progress_file))
        if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
            raise CckmInputError("progress_file", "%r is not in a writable directory." % progress_file)


def _query(params: Dict[str, Any]) -> JobQuery:
    cloud: Cloud = CLOUDS[params["cloud"]]
    scope = checked_scope(cloud, params.get("scope"))
    values = None
    for option in FILTER_OPTIONS:
        if params.get(option) is None:
            continue
        if option != cloud.filter_option:
            raise CckmInputError(option, misplaced_filter_message(option, cloud))
        values = validate_filter_values(option, params[option])
    ids = [validate_job_id("id", job_id) for job_id in params.get("id") or []]
    if params.get("id") is not None and not ids:
        raise CckmInputError("id", "is an empty list; give one or more job ids, or leave it out to watch by filter.")
    if ids and values:
        raise CckmInputError(
            "id",
            "cannot be given with %s: wait on given jobs (id), or on every job that matches the filter (%s), not both."
            % (cloud.filter_option, cloud.filter_option),
        )
    if params.get("schedule") is not None:
        _check_schedule_options(params, cloud, scope, bool(ids), bool(values))
    return JobQuery(cloud, scope=scope, ids=ids, filter_values=values)


def _check_schedule_options(params: Dict[str, Any], cloud: Cloud, scope: str, ids: bool, values: bool) -> None:
    """``schedule`` alone says what to wait for: not with ids or targets, and in the scope a scheduled run starts."""
    if not params["schedule"].strip():
        raise CckmInputError("schedule", "is empty; give the name of a synchronization schedule (sync_schedule's name).")
    if ids or values:
        raise CckmInputError(
            "schedule",
            "cannot be given with %s: wait for the schedule's next run, or for given jobs or targets, not both."
            % ("id" if ids else cloud.filter_option),
        )
    if scope != cloud.default_scope:
        raise CckmInputError(
            "scope", "a scheduled run synchronizes %s %s; leave scope out with schedule." % (cloud.name, cloud.default_scope)
        )


def _write_progress(path: str, progress: Progress) -> None:
    try:
        write_progress(path, progress)
    except OSError as error:
        raise CckmInputError("progress_file", "cannot be written (%s); give a path in a writable directory." % error)


def run_wait_module() -> None:
    module = new_module(wait_argspec())
    params = module.params
    try:
        check_timing(params)
        query = _query(params)
        client = client_from_module(module, give_up_after=params["timeout"])  # retries inside a poll end with the wait
    except CckmError as error:
        fail_from_error(module, error)
    if params.get("schedule") is not None:
        try:
            config, due = schedule_to_wait_for(client, params["schedule"], query.cloud.name, datetime.datetime.now(UTC))
        except CckmError as error:
            fail_from_error(module, error)
        run_watch = ScheduleRunWatch(client, query, config, due)
        wait_and_report(module, run_watch, query, params, params["fail_on"], origin=run_watch.origin(), changed=False)
        return
    watch: Watch
    if query.ids:
        watch = IdWatch(client, query, query.ids)
    elif query.filter_values:
        watch = TargetWatch(client, query, query.filter_values)
    else:
        watch = FilterWatch(client, query)
    wait_and_report(module, watch, query, params, params["fail_on"], changed=False)


def wait_and_report(
    module: Any,
    watch: Watch,
    query: JobQuery,
    params: Dict[str, Any],
    fail_on: List[str],
    origin: str = "",
    stopping: bool = False,
    **extra: Any,
) -> None:
    """Wait with ``watch``, then exit or fail the module with the wait's result plus ``extra``.

    ``origin`` and ``stopping`` only shape a timeout's message (see ``timeout_message``).
    """
    progress_file: Optional[str] = params.get("progress_file")

    def on_poll(jobs, elapsed, polls, last_error):
        if progress_file:
            _write_progress(progress_file, Progress.of(jobs, elapsed, polls, last_error))

    try:
        outcome = wait_for_jobs(
            watch.poll,
            params["timeout"],
            params["poll_interval"],
            params["max_poll_interval"],
            done=watch.done,  # a schedule's run: not done before it has started
            on_poll=on_poll,
        )
    except CckmError as error:
        fail_from_error(module, error, **extra)
    jobs = outcome.jobs
    judged = watch.judge(jobs, fail_on)
    result: Dict[str, Any] = dict(
        extra,
        sync_jobs=jobs,
        summary=summarize_states(jobs),
        elapsed=round(outcome.elapsed, 2),
        polls=outcome.polls,
        timed_out=outcome.timed_out,
        **judged.result,
    )
    if outcome.last_error:
        result["last_error"] = outcome.last_error.message
    for warning in unknown_status_warnings(jobs):
        module.warn(warning)
    if outcome.timed_out:
        not_started = None if jobs else watch.not_started_message(outcome)
        module.fail_json(msg=not_started or timeout_message(outcome, query, origin, stopping), **result)
    for warning in judged.warnings:
        module.warn(warning)
    if judged.failure:
        module.fail_json(msg=judged.failure, **result)
    module.exit_json(**result)


MAX_IDS_IN_COMMAND = 3
"""More running jobs than this: the commands in a timeout's message point at the ids listed, not repeat them."""


def timeout_message(outcome: WaitOutcome, query: JobQuery, origin: str = "", stopping: bool = False) -> str:
    """What a wait that ran out of time says: the jobs still running and their states, the time and polls it took,
    ``origin`` (sync_job: whether this task started the job or reused a running one), then that the jobs keep
    running on CM, since a timeout ends the wait and cancels nothing, and how to cancel them or wait again.

    ``stopping``: the jobs are ones this task asked CM to cancel; they are still stopping, so the way on is
    waiting again, not another cancel.
    """
    running = [job for job in outcome.jobs if job["state"] not in FINISHED_STATES]
    message = "Timed out after %.0f s and %s waiting for %s %s synchronization: still running: %s." % (
        outcome.elapsed,
        plural(outcome.polls, "poll"),
        query.cloud.name,
        query.scope,
        ", ".join("%s (%s)" % (job.get("id"), job["state"]) for job in running) or "(no answer from CM)",
    )
    if origin:
        message += " " + origin
    # without an answer, a wait by id still knows which jobs it waited for
    ids = [str(job["id"]) for job in running if job.get("id")] or list(query.ids)
    where = "cloud=%s scope=%s" % (query.cloud.name, query.scope)
    if len(ids) > MAX_IDS_IN_COMMAND:
        listed = "<the ids above>"
    else:
        listed = ",".join(ids)
    it, they = ("it", "job %s" % ids[0]) if len(ids) == 1 else ("them", "jobs %s" % ", ".join(ids))
    wait_again = "ciphertrust.cckm.sync_job_wait %s id=%s" % (where, listed)
    if not ids:
        message += (
            " A wait's timeout does not cancel a job: whatever runs in the scope keeps running on CipherTrust Manager."
            " To stop a job: ciphertrust.cckm.sync_job %s state=cancelled id=<its id> (the cloud's info module lists"
            " them with overall_status: in_progress); or wait again." % where
        )
    elif stopping:
        message += (
            " A wait's timeout does not undo the cancel: CipherTrust Manager is still stopping %s. To see %s end,"
            " wait again: %s." % (they, it, wait_again)
        )
    else:
        message += (
            " A wait's timeout does not cancel a job: %s %s running on CipherTrust Manager. To stop %s:"
            " ciphertrust.cckm.sync_job %s state=cancelled id=%s; to see %s end, wait again: %s."
            % (they, "keeps" if len(ids) == 1 else "keep", it, where, listed, it, wait_again)
        )
    if outcome.last_error:
        message += " Last error: %s" % outcome.last_error.message
    return message
