# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Talking to CM's scheduler: find, create, update, delete and run synchronization schedules, read their runs.

Internal to ciphertrust.cckm: not a public API, may change without notice.

Whether CM's listings honour ``name``, ``operation`` or ``job_config_id`` is not documented: the
keys are sent (a CM that filters answers less) and every answer is filtered here too (a CM that
ignores them, or matches ``name`` as a substring, is then right as well). Every write goes through
``write_looking_first``: after a lost answer CM is read before anything is sent again.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import describe_job, newest_jobs, running_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.schedules import (
    OPERATION,
    Config,
    Wanted,
    cloud_of,
    create_body,
    is_sync_schedule,
    params_of,
    patch_body,
    targets_of,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.looking_first import write_looking_first
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.start import StartRequest, covering_jobs

CONFIGS_PATH = "/v1/scheduler/job-configs"
RUNS_PATH = "/v1/scheduler/jobs"
APPEAR_PAUSES = (0.5, 1.0, 1.5, 2.0, 2.0, 3.0)
"""Pauses while looking for the job a run-now started (about 10 s: the scheduler may start it a moment later)."""

Sleep = Callable[[float], None]


def config_path(config: Config) -> str:
    return "%s/%s" % (CONFIGS_PATH, config["id"])


def config_content(url: str, config: Any) -> Config:
    """A job config, or a retryable CckmError when the answer is not one."""
    if not isinstance(config, dict) or "id" not in config:
        raise CckmError(
            "CipherTrust Manager answered GET %s with something that is not a scheduler job config; is 'address' a "
            "CipherTrust Manager reached directly?" % url,
            url=url,
            retryable=True,
        )
    return config


def _is_config(answer: Any) -> bool:
    return isinstance(answer, dict) and bool(answer.get("id")) and "name" in answer


def find_schedule(client: Any, name: str) -> Optional[Config]:
    """The synchronization schedule named ``name``, or None; a config of another operation by that name fails."""
    found, _total = client.read_listing(CONFIGS_PATH, {"name": name})
    named = [config for config in found if config.get("name") == name]
    mine = [config for config in named if is_sync_schedule(config)]
    if len(mine) > 1:
        raise CckmError(
            "%d synchronization schedules are named %r on CipherTrust Manager (ids %s); a name must pick one. Delete "
            "or rename the extra ones in CM, then run again." % (len(mine), name, ", ".join(str(c.get("id")) for c in mine))
        )
    if not mine and named:
        raise CckmInputError(
            "name",
            "%r is the name of a scheduler job config for %r (id %s), not of a synchronization schedule; choose "
            "another name." % (name, named[0].get("operation"), named[0].get("id")),
        )
    return mine[0] if mine else None


def list_schedules(client: Any, name: Optional[str] = None) -> List[Config]:
    """Every synchronization schedule (all pages), or the one named ``name``."""
    query = {"operation": OPERATION}
    if name:
        query["name"] = name
    found, _total = client.read_listing(CONFIGS_PATH, query)
    return [config for config in found if is_sync_schedule(config) and (not name or config.get("name") == name)]


def read_runs(client: Any, config_ids: List[str]) -> List[Dict[str, Any]]:
    """The scheduler's runs (all pages) that may belong to ``config_ids`` (the caller groups them by config)."""
    query = {"job_config_id": config_ids[0]} if len(config_ids) == 1 else {"operation": OPERATION}
    runs, _total = client.read_listing(RUNS_PATH, query)
    return runs


def _write_refused_error(error: CckmError, what: str) -> CckmError:
    """CM's 4xx answer to a write, in the words of what was asked."""
    if error.status is None or error.status >= 500 or error.status == 401:
        return error
    hints = {
        400: "check run_at, start_date, end_date, run_on and the targets against CM's message",
        403: "the user needs the right to manage scheduler job configs in CM",
        404: "it was deleted meanwhile; run the task again",
        409: "a job config of that name was created meanwhile; run the task again to manage it",
        422: "check run_at, start_date, end_date, run_on and the targets against CM's message",
    }
    hint = hints.get(error.status, "check the options against CM's message")
    return error.reword("CipherTrust Manager refused to %s (HTTP %s%s); %s." % (what, error.status, error.cm_reason(), hint))


def create(client: Any, wanted: Wanted, sleep: Sleep = time.sleep) -> Config:
    """Create the schedule; after a lost answer, adopt it if CM created it."""
    what = "create the synchronization schedule %r" % wanted.name
    body = create_body(wanted)
    try:
        answer = write_looking_first(
            lambda: client.post(CONFIGS_PATH, body),
            lambda: find_schedule(client, wanted.name),
            what,
            client.request_timeout,
            sleep,
        )
    except CckmError as error:
        raise _write_refused_error(error, what) from None
    if _is_config(answer):
        return answer
    created = find_schedule(client, wanted.name)
    if created is None:
        raise CckmError("CipherTrust Manager accepted the creation of schedule %r but does not list it." % wanted.name)
    return created


def update(client: Any, config: Config, wanted: Wanted, sleep: Sleep = time.sleep) -> Config:
    """PATCH what differs; after a lost answer, read the config and send again only what still differs."""
    what = "update the synchronization schedule %r (id %s)" % (wanted.name, config["id"])
    path = config_path(config)

    def look() -> Optional[Config]:
        now = client.get_or_none(path, check=config_content)
        if now is None:
            raise CckmError(
                "Schedule %r (id %s) was deleted from CM while it was being updated; run the task again "
                "to create it." % (wanted.name, config["id"]),
                status=404,
            )
        return now if not patch_body(wanted, now) else None

    try:
        answer = write_looking_first(
            lambda: client.patch(path, patch_body(wanted, config)), look, what, client.request_timeout, sleep
        )
    except CckmError as error:
        raise _write_refused_error(error, what) from None
    return answer if _is_config(answer) else client.get(path, check=config_content)


def delete(client: Any, config: Config, sleep: Sleep = time.sleep) -> bool:
    """Delete the config; False when it was already gone (someone else deleted it first)."""
    what = "delete the synchronization schedule %r (id %s)" % (config.get("name"), config["id"])
    path = config_path(config)
    try:
        write_looking_first(
            lambda: client.delete(path),
            lambda: {} if client.get_or_none(path, check=config_content) is None else None,
            what,
            client.request_timeout,
            sleep,
        )
    except CckmError as error:
        if error.status == 404:
            return False
        raise _write_refused_error(error, what) from None
    return True


def what_a_run_starts(config: Config) -> Optional[StartRequest]:
    """What a run of ``config`` synchronizes, as a start would ask it (None for a cloud this collection does not know)."""
    cloud = cloud_of(config)
    if cloud is None:
        return None
    params = params_of(config)
    synchronize_all = params.get("synchronize_all") is True
    return StartRequest(
        cloud,
        cloud.default_scope,
        [] if synchronize_all else targets_of(cloud, params),
        list(params.get("regions") or []),
        synchronize_all,
    )


class RunNow(NamedTuple):
    """What ``run_now`` did: the synchronization job (normalized, or None), whether it was one already running."""

    sync_job: Optional[Dict[str, Any]]
    reused: bool
    warnings: List[str]


def run_now(client: Any, config: Config, sleep: Sleep = time.sleep) -> RunNow:
    """Run the schedule once now, or reuse a running sync that covers its targets (as ``sync_job`` does).

    A covering job in progress is the run asked for: no run-now is sent (three run-nows in a row
    would otherwise start three overlapping jobs on a CM that allows it). What ``run-now`` answers
    is not documented (the job, a scheduler run, or nothing): the job is the answer when it is one,
    else the new job of the schedule's cloud that covers its targets.
    """
    request = what_a_run_starts(config)
    if request is not None:
        covering = covering_jobs(running_jobs(client, request.cloud, request.scope), request)
        if covering:
            return RunNow(covering[0], True, [])
    known = {job["id"] for job in newest_jobs(client, request.cloud, request.scope)} if request else set()

    def started() -> Optional[Dict[str, Any]]:
        if request is None:
            return None
        jobs = newest_jobs(client, request.cloud, request.scope)
        new = covering_jobs([job for job in jobs if job["id"] not in known], request)
        return new[0] if new else None

    what = "run the synchronization schedule %r (id %s) now" % (config.get("name"), config["id"])
    try:
        answer = write_looking_first(
            lambda: client.post(config_path(config) + "/run-now"), started, what, client.request_timeout, sleep
        )
    except CckmError as error:
        if request is None or error.status in (None, 401, 403, 404) or error.status >= 500:
            raise _write_refused_error(error, what) from None
        running = running_jobs(client, request.cloud, request.scope)
        covering = covering_jobs(running, request)
        if covering:  # refused because a sync that does the same started meanwhile: that is the run asked for
            return RunNow(
                covering[0],
                True,
                [
                    "CipherTrust Manager refused to run schedule %r now (HTTP %s%s) because job %s, which covers its "
                    "targets, is running; that job is returned as sync_job."
                    % (config.get("name"), error.status, error.cm_reason(), covering[0]["id"])
                ],
            )
        if running:
            raise error.reword(
                "CipherTrust Manager refused to %s (HTTP %s%s) while a synchronization runs: %s. Wait for it (sync_job_wait "
                "with cloud=%s id=%s), then run again."
                % (
                    what,
                    error.status,
                    error.cm_reason(),
                    describe_job(request.cloud, running[0]),
                    request.cloud.name,
                    running[0]["id"],
                )
            ) from None
        raise _write_refused_error(error, what) from None
    if isinstance(answer, dict) and answer.get("id") and "overall_status" in answer:
        return RunNow(normalize_job(answer), False, [])
    for pause in APPEAR_PAUSES + (0.0,):
        job = started()
        if job is not None:
            return RunNow(job, False, [])
        sleep(pause)
    return RunNow(
        None,
        False,
        [
            "CipherTrust Manager accepted running schedule %r now, but no new %s job covering its targets appeared within "
            "%d s; look with the cloud's sync_job_info module."
            % (config.get("name"), request.cloud.name if request else "synchronization", sum(APPEAR_PAUSES))
        ],
    )
