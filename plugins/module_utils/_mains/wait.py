# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and main of ``sync_job_wait``: validate, watch, wait, apply ``fail_on``, report.

Internal to ciphertrust.cckm: not a public API, may change without notice.
``sync_job`` with ``wait: true`` uses the same timing options and ``wait_and_report``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, FILTER_OPTIONS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.progress import Progress, plural, write_progress
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    DEFAULT_FAIL_ON,
    FAIL_ON_CHOICES,
    FINISHED_STATES,
    summarize_states,
    unknown_status_warnings,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import wait_for_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import FilterWatch, IdWatch, TargetWatch
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
    return JobQuery(cloud, scope=scope, ids=ids, filter_values=values)


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
    if query.ids:
        watch: Any = IdWatch(client, query, query.ids)
    elif query.filter_values:
        watch = TargetWatch(client, query, query.filter_values)
    else:
        watch = FilterWatch(client, query)
    wait_and_report(module, watch, query, params, params["fail_on"], changed=False)


def wait_and_report(module: Any, watch: Any, query: JobQuery, params: Dict[str, Any], fail_on: List[str], **extra: Any) -> None:
    """Wait with ``watch``, then exit or fail the module with the wait's result plus ``extra``."""
    progress_file: Optional[str] = params.get("progress_file")

    def on_poll(jobs, elapsed, polls, last_error):
        if progress_file:
            _write_progress(progress_file, Progress.of(jobs, elapsed, polls, last_error))

    try:
        outcome = wait_for_jobs(
            watch.poll, params["timeout"], params["poll_interval"], params["max_poll_interval"], on_poll=on_poll
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
        running = ["%s (%s)" % (job.get("id"), job["state"]) for job in jobs if job["state"] not in FINISHED_STATES]
        message = "Timed out after %.0f s and %s waiting for %s %s synchronization: still running: %s." % (
            outcome.elapsed,
            plural(outcome.polls, "poll"),
            query.cloud.name,
            query.scope,
            ", ".join(running) or "(no answer from CM)",
        )
        if outcome.last_error:
            message += " Last error: %s" % outcome.last_error.message
        module.fail_json(msg=message, **result)
    for warning in judged.warnings:
        module.warn(warning)
    if judged.failure:
        module.fail_json(msg=judged.failure, **result)
    module.exit_json(**result)
