# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scheduled synchronizations as data: CM's job configs read, normalized and compared with what is wanted.

Internal to ciphertrust.cckm: not a public API, may change without notice. No request is sent
here (``api`` talks to CM); everything is a function of the configs CM answered.

CM stores a schedule as a scheduler job config with ``operation: cckm_synchronization``. It takes
the parameters as ``cckm_synchronization_params`` and answers them as ``job_config_params``, with
its own cloud names (``AzureCloud``, ``gcp``, ``hsm-luna``) and target fields (``oci_vaults``): the
clouds table holds both. A returned schedule keeps CM's fields and adds the collection's names.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, Dict, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, SCHEDULE_CLOUDS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import parse_time, utc_text
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import CANCELLED, SUCCEEDED, status_state
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.cron import SEARCH_DAYS, Cron, parse_cron

Config = Dict[str, Any]
OPERATION = "cckm_synchronization"
PARAMS_SENT = "cckm_synchronization_params"
PARAMS_ANSWERED = ("job_config_params", PARAMS_SENT)
"""Where a config read back holds its parameters: ``job_config_params`` (documented), or the name sent."""
SETTINGS = ("run_at", "description", "disabled", "start_date", "end_date", "run_on")
"""Top-level fields of a job config that ``sync_schedule`` manages (each PATCHed alone when it differs)."""

UNSET_TIME = "0001-01-01T00:00:00Z"
"""Go's zero time: what CM answers for a date that is not set, and what clearing a date sends."""


class Wanted(NamedTuple):
    """What a task declares; None everywhere it says nothing (the schedule keeps what it has)."""

    name: str
    cloud: Optional[Cloud]
    targets: Optional[List[str]]
    regions: Optional[List[str]]
    synchronize_all: Optional[bool]
    take_cloud_key_backup: Optional[bool]
    settings: Dict[str, Any]
    """Given top-level fields as they are sent (dates in UTC, ``Z``)."""

    def declares_params(self) -> bool:
        return any(value is not None for value in (self.targets, self.regions, self.synchronize_all, self.take_cloud_key_backup))


# -- times ----------------------------------------------------------------------------------------


def checked_time(option: str, text: str) -> str:
    """A date option, checked and written in UTC (an empty value clears it), or a CckmInputError naming it."""
    if not str(text).strip():
        return UNSET_TIME
    moment = parse_time(text)
    if moment is None:
        raise CckmInputError(
            option,
            "%r is not an RFC 3339 time; write it like 2026-12-24T22:00:00Z or 2026-12-24T23:00:00+01:00." % text,
        )
    return utc_text(moment)


# -- reading CM's configs -------------------------------------------------------------------------


def params_of(config: Config) -> Dict[str, Any]:
    """The synchronization parameters of a config, wherever and however (object or JSON text) CM put them."""
    for field in PARAMS_ANSWERED:
        value = config.get(field)
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, dict):
            return value
    return {}


def cloud_of(config: Config) -> Optional[Cloud]:
    """The collection's cloud of a config, from CM's ``cloud_name`` (any case; our own name accepted too)."""
    name = str(params_of(config).get("cloud_name") or "").strip().lower()
    return SCHEDULE_CLOUDS.get(name) or CLOUDS.get(name)


def targets_of(cloud: Cloud, params: Dict[str, Any]) -> List[str]:
    """The targets in the params' own field (``oci_vaults``), or under the option's name if CM used that."""
    for field in (cloud.schedule_targets, cloud.target_option):
        if isinstance(params.get(field), list):
            return [str(value) for value in params[field]]
    return []


def is_sync_schedule(config: Config) -> bool:
    return str(config.get("operation") or "").replace("-", "_") == OPERATION


def next_run_at(config: Config, now: datetime.datetime) -> Optional[str]:
    """When the schedule runs next (UTC), from ``run_at``, ``start_date`` and ``end_date``; None when disabled or over."""
    if config.get("disabled") is True:
        return None
    try:
        cron = parse_cron("run_at", str(config.get("run_at") or ""))
    except CckmError:
        return None
    after = now
    start = parse_time(config.get("start_date"))
    if start is not None and start - datetime.timedelta(seconds=1) > after:
        after = start - datetime.timedelta(seconds=1)
    upcoming = cron.next_after(after)
    end = parse_time(config.get("end_date"))
    if upcoming is None or (end is not None and upcoming > end):
        return None
    return utc_text(upcoming)


def why_it_never_runs(config: Config, now: datetime.datetime) -> Optional[str]:
    """Why an enabled schedule has no next run (its ``next_run_at`` is null), or None when it runs or is disabled."""
    if config.get("disabled") is True or next_run_at(config, now) is not None:
        return None
    run_at = str(config.get("run_at") or "")
    try:
        cron = parse_cron("run_at", run_at)
    except CckmError as error:
        return "CM holds a run_at this collection cannot read (%s)" % error.message
    end = parse_time(config.get("end_date"))
    if end is not None and end <= now:
        return "its end_date %s has passed" % utc_text(end)
    if cron.next_after(now) is None:
        never = cron.why_never()  # sync_schedule refuses these; a schedule CM holds may have one
        if never:
            return "run_at %r matches no date (%s)" % (run_at, never)
        return "run_at %r matches no date in the next %d years" % (run_at, SEARCH_DAYS // 366)
    return "its first run after start_date comes after its end_date %s" % utc_text(end) if end else "it has no next run"


def normalize_schedule(config: Config, now: datetime.datetime) -> Config:
    """CM's fields, plus ``cloud``, the targets under the option's name, ``synchronize_all``, ``next_run_at``."""
    schedule = dict(config)
    params = params_of(config)
    cloud = cloud_of(config)
    schedule["cloud"] = cloud.name if cloud else None
    if cloud:
        schedule[cloud.target_option] = targets_of(cloud, params)
        if cloud.regions:
            schedule["regions"] = list(params.get("regions") or [])
        if cloud.scope(None).backup:
            schedule["take_cloud_key_backup"] = params.get("take_cloud_key_backup")
    schedule["synchronize_all"] = params.get("synchronize_all") is True
    schedule["next_run_at"] = next_run_at(config, now)
    return schedule


def view(config: Optional[Config]) -> Dict[str, Any]:
    """The fields a task manages, under the module's names: what diff mode shows."""
    if config is None:
        return {}
    params = params_of(config)
    cloud = cloud_of(config)
    shown: Dict[str, Any] = {"name": config.get("name"), "cloud": cloud.name if cloud else params.get("cloud_name")}
    if cloud:
        shown[cloud.target_option] = sorted(targets_of(cloud, params))
        if cloud.regions:
            shown["regions"] = sorted(params.get("regions") or [])
        if cloud.scope(None).backup:
            shown["take_cloud_key_backup"] = params.get("take_cloud_key_backup") is True
    shown["synchronize_all"] = params.get("synchronize_all") is True
    for field in SETTINGS:
        shown[field] = config.get(field)
    return shown


# -- comparing and writing ------------------------------------------------------------------------


def create_body(wanted: Wanted) -> Dict[str, Any]:
    """The POST body of a new schedule (``cloud`` and ``run_at`` are checked to be there before)."""
    cloud = wanted.cloud
    params: Dict[str, Any] = {"cloud_name": cloud.schedule_cloud, "synchronize_all": wanted.synchronize_all is True}
    if not wanted.synchronize_all:
        params[cloud.schedule_targets] = list(wanted.targets or [])
    if wanted.regions:
        params["regions"] = list(wanted.regions)
    if wanted.take_cloud_key_backup is not None:
        params["take_cloud_key_backup"] = wanted.take_cloud_key_backup
    body: Dict[str, Any] = {"name": wanted.name, "operation": OPERATION}
    body.update({field: value for field, value in wanted.settings.items() if value not in (None, UNSET_TIME)})
    body[PARAMS_SENT] = params
    return body


def _same_setting(field: str, current: Any, value: Any) -> bool:
    if field == "run_at":
        return _cron_or_none(current) is not None and _cron_or_none(current) == _cron_or_none(value)
    if field in ("start_date", "end_date"):
        return parse_time(current) == parse_time(value)
    if field == "disabled":
        return (current is True) == (value is True)
    if field == "description":
        return str(current or "") == str(value or "")
    if field == "run_on":
        return str(current or "any") == str(value or "any")
    return current == value


def _cron_or_none(text: Any) -> Optional[Cron]:
    try:
        return parse_cron("run_at", str(text or ""))
    except CckmError:
        return None


OPTIONAL_PARAMS = ("regions", "take_cloud_key_backup")
"""Parameters sent only when the task gives them; CM may not keep them (its own clients never send ``regions``)."""


def changed_params(wanted: Wanted, config: Config) -> Optional[Dict[str, Any]]:
    """The whole new parameter block when a declared parameter differs, else None.

    The block is sent whole (CM's own values for what the task does not declare, fields the
    collection does not know such as Azure's ``sync_items`` included, ``cloud_name`` left out: CM
    cannot change it), so it is right whether CM merges a PATCHed block or replaces it. An optional
    parameter CM's block does not hold is no difference by itself (CM may drop it, and a field it
    drops would otherwise be PATCHed on every run); it is sent with any other change.
    """
    cloud = cloud_of(config)
    if cloud is None or not wanted.declares_params():
        return None
    current = params_of(config)
    new = {key: value for key, value in current.items() if key not in ("cloud_name", cloud.target_option)}
    new[cloud.schedule_targets] = targets_of(cloud, current)
    new["synchronize_all"] = current.get("synchronize_all") is True
    if wanted.synchronize_all:
        new.update({cloud.schedule_targets: [], "synchronize_all": True})
    elif wanted.targets is not None:
        new.update({cloud.schedule_targets: list(wanted.targets), "synchronize_all": False})
    if wanted.regions is not None:
        new["regions"] = list(wanted.regions)
    if wanted.take_cloud_key_backup is not None:
        new["take_cloud_key_backup"] = wanted.take_cloud_key_backup
    held = [field for field in OPTIONAL_PARAMS if field in current]
    return None if _declarable(cloud, current, held) == _declarable(cloud, new, held) else new


def _declarable(cloud: Cloud, params: Dict[str, Any], held: List[str]) -> tuple:
    """What a task can declare of a parameter block, in an order-free form (optional fields CM holds only)."""
    optional = {
        "regions": sorted(params.get("regions") or []),
        "take_cloud_key_backup": params.get("take_cloud_key_backup") is True,
    }
    return (
        sorted(targets_of(cloud, params)),
        params.get("synchronize_all") is True,
        [optional[field] for field in held],
    )


def dropped_params(sent: Dict[str, Any], config: Config) -> List[str]:
    """The parameters sent in ``sent`` (a create or PATCH body) that CM's answer ``config`` does not hold."""
    block = sent.get(PARAMS_SENT)
    if not isinstance(block, dict):
        return []
    kept = params_of(config)
    return [field for field in block if field != "cloud_name" and field not in kept]


def patch_body(wanted: Wanted, config: Config) -> Dict[str, Any]:
    """Only what differs between ``config`` and ``wanted``: an empty dict means nothing to change."""
    body = {
        field: value
        for field, value in wanted.settings.items()
        if value is not None and not _same_setting(field, config.get(field), value)
    }
    params = changed_params(wanted, config)
    if params is not None:
        body[PARAMS_SENT] = params
    return body


def predicted(config: Config, body: Dict[str, Any]) -> Config:
    """``config`` as it will be once ``body`` is PATCHed (for check and diff mode)."""
    after = dict(config, **{key: value for key, value in body.items() if key != PARAMS_SENT})
    if PARAMS_SENT in body:
        params = dict(body[PARAMS_SENT], cloud_name=params_of(config).get("cloud_name"))
        after.pop(PARAMS_SENT, None)
        after["job_config_params"] = params
    return after


# -- runs -----------------------------------------------------------------------------------------

_RUN_STATUS_FIELDS = ("job_status", "status", "overall_status", "state")
"""Where a run holds its status: ``job_status`` (what the vendor's CLI filters), then other names CM might use."""
_RUN_CONFIG_FIELDS = ("job_config_id", "config_id", "job_config")
_RUN_TIME_FIELDS = ("createdAt", "created_at", "started_at", "startedAt", "start_time")


def run_config_id(run: Dict[str, Any]) -> Optional[str]:
    """The id of the config a scheduler run belongs to, from whichever field CM names it."""
    for field in _RUN_CONFIG_FIELDS:
        value = run.get(field)
        if isinstance(value, dict):
            value = value.get("id")
        if value:
            return str(value)
    return None


def run_time(run: Dict[str, Any]) -> str:
    for field in _RUN_TIME_FIELDS:
        moment = parse_time(run.get(field))
        if moment is not None:
            return utc_text(moment)
    return ""


def normalize_run(run: Dict[str, Any]) -> Dict[str, Any]:
    """A scheduler run with ``state`` (as a sync job's: succeeded, failed, ...) and ``started_at`` (UTC) added."""
    raw = next((run.get(field) for field in _RUN_STATUS_FIELDS if run.get(field) is not None), None)
    state = status_state(raw)
    if state == SUCCEEDED and run.get("abort") is True:
        state = CANCELLED
    return dict(run, state=state, started_at=run_time(run) or None)


def attach_last_runs(schedules: List[Config], runs: List[Dict[str, Any]], keep: int) -> None:
    """Give each schedule its ``keep`` newest runs (normalized), in place."""
    by_config: Dict[str, List[Dict[str, Any]]] = {}
    for run in runs:
        config_id = run_config_id(run)
        if config_id:
            by_config.setdefault(config_id, []).append(normalize_run(run))
    for schedule in schedules:
        mine = by_config.get(str(schedule.get("id")), [])
        mine.sort(key=lambda run: run["started_at"] or "", reverse=True)
        schedule["last_runs"] = mine[:keep]
