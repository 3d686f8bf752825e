# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and main of ``sync_schedule`` and ``sync_schedule_info``.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, SCHEDULABLE, TARGET_OPTIONS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.module import (
    checked_targets,
    client_from_module,
    connection_argspec,
    fail_from_error,
    new_module,
    validate_filter_values,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.api import (
    create,
    delete,
    find_schedule,
    list_schedules,
    read_runs,
    run_now,
    update,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.cron import UTC, checked_cron
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.schedules import (
    SETTINGS,
    UNSET_TIME,
    Wanted,
    attach_last_runs,
    checked_time,
    cloud_of,
    create_body,
    dropped_params,
    normalize_schedule,
    params_of,
    patch_body,
    predicted,
    view,
    why_it_never_runs,
)

MAX_LAST_RUNS = 5


def schedule_argspec() -> Dict[str, Dict[str, Any]]:
    """Options of ``sync_schedule``."""
    spec = connection_argspec()
    spec.update(
        name={"type": "str", "required": True},
        state={"type": "str", "default": "present", "choices": ["present", "absent"]},
        cloud={"type": "str", "choices": sorted(SCHEDULABLE)},
        synchronize_all={"type": "bool"},
        take_cloud_key_backup={"type": "bool"},
        run_at={"type": "str"},
        description={"type": "str"},
        disabled={"type": "bool"},
        start_date={"type": "str"},
        end_date={"type": "str"},
        run_on={"type": "str"},
        run_now={"type": "bool", "default": False},
        recreate={"type": "bool", "default": False},
    )
    for option in TARGET_OPTIONS:
        spec[option] = {"type": "list", "elements": "str", "no_log": False}
    return spec


def schedule_info_argspec() -> Dict[str, Dict[str, Any]]:
    """Options of ``sync_schedule_info``."""
    spec = connection_argspec()
    spec.update(
        name={"type": "str"},
        cloud={"type": "str", "choices": sorted(CLOUDS)},
        last_runs={"type": "int", "default": MAX_LAST_RUNS},
    )
    return spec


def _name(params: Dict[str, Any]) -> str:
    name = str(params.get("name") or "").strip()
    if not name:
        raise CckmInputError("name", "is empty; give the schedule's name, e.g. name: nightly-azure-sync.")
    return name


def wanted_from(params: Dict[str, Any]) -> Wanted:
    """The declared schedule, every option checked before any request."""
    name = _name(params)
    if params["state"] == "absent":
        if params["run_now"]:
            raise CckmInputError("run_now", "cannot be given with state: absent; a deleted schedule cannot run.")
        return Wanted(name, None, None, None, None, None, {})
    for option in ("cloud", "run_at"):
        if not params.get(option):
            raise CckmInputError(
                option, "is required with state: present (the schedule is declared whole: cloud, run_at and the targets)."
            )
    cloud = CLOUDS[params["cloud"]]
    targets = checked_targets(cloud, params)
    synchronize_all = params.get("synchronize_all") is True
    if targets and synchronize_all:
        raise CckmInputError(
            cloud.target_option, "cannot be given with synchronize_all: true; give the targets, or synchronize all of them."
        )
    if not targets and not synchronize_all:
        raise CckmInputError(
            cloud.target_option,
            "no targets given: a schedule of cloud %s synchronizes the %s it names (%s: [name1, name2]) or, with "
            "synchronize_all: true, all of them." % (cloud.name, cloud.target_option, cloud.target_option),
        )
    if params.get("take_cloud_key_backup") is not None and not cloud.scope(None).backup:
        raise CckmInputError("take_cloud_key_backup", "applies to azure schedules only, not to %s." % cloud.name)
    settings: Dict[str, Any] = {field: params.get(field) for field in SETTINGS}
    settings["run_at"] = " ".join(str(params["run_at"]).split())
    checked_cron("run_at", settings["run_at"])  # a date no month has is refused here, not written with a warning
    for option in ("start_date", "end_date"):
        if params.get(option) is not None:
            settings[option] = checked_time(option, params[option])
    dates = [settings[option] for option in ("start_date", "end_date")]
    if all(date not in (None, UNSET_TIME) for date in dates) and settings["end_date"] <= settings["start_date"]:
        raise CckmInputError("end_date", "%s is not after start_date %s." % (settings["end_date"], settings["start_date"]))
    if params.get("run_on") is not None and not str(params["run_on"]).strip():
        raise CckmInputError("run_on", "is empty; give 'any' (any node of the cluster) or a node id.")
    regions = validate_filter_values("regions", params["regions"]) if params.get("regions") is not None else None
    return Wanted(
        name,
        cloud,
        [] if synchronize_all else targets,
        regions,
        synchronize_all,
        params.get("take_cloud_key_backup"),
        settings,
    )


class Outcome(NamedTuple):
    """What declaring (or removing) the schedule did."""

    changed: bool
    config: Optional[Dict[str, Any]]
    """The schedule as CM holds it afterwards (as it would, in check mode); None once removed."""
    after: Dict[str, Any]
    """What ``--diff`` shows after."""


def run_schedule_module() -> None:
    module = new_module(schedule_argspec())
    params = module.params
    result: Dict[str, Any] = {"changed": False, "schedule": None}
    try:
        wanted = wanted_from(params)
        client = client_from_module(module)
        current = find_schedule(client, wanted.name)
        if params["state"] == "absent":
            outcome = remove(module, client, current)
        else:
            outcome = declare(module, client, current, wanted)
            warn_if_it_never_runs(module, wanted.name, outcome.config)
        result["changed"] = outcome.changed
        if params["run_now"]:
            ran = run_it_now(module, client, outcome.config)
            result.update(sync_job=ran.sync_job, reused=ran.reused, changed=outcome.changed or not ran.reused)
        result["schedule"] = shown(outcome.config, module.check_mode)
        if module._diff:
            result["diff"] = {"before": view(current), "after": outcome.after}
    except CckmError as error:
        fail_from_error(module, error, **result)
    module.exit_json(**result)


def remove(module: Any, client: Any, current: Optional[Dict[str, Any]]) -> Outcome:
    """``state: absent``: the schedule deleted, if there is one."""
    if current is None:
        return Outcome(False, None, {})
    return Outcome(True if module.check_mode else delete(client, current), None, {})


def declare(module: Any, client: Any, current: Optional[Dict[str, Any]], wanted: Wanted) -> Outcome:
    """``state: present``: created, recreated for another cloud, PATCHed where it differs, or left as it is."""
    if current is None:
        return create_schedule(module, client, wanted)
    if cloud_of(current) is not wanted.cloud:
        return create_schedule(module, client, _replaceable(module, client, current, wanted))
    return update_schedule(module, client, current, wanted)


def create_schedule(module: Any, client: Any, wanted: Wanted) -> Outcome:
    body = create_body(wanted)
    expected = dict(body, id=None, job_config_params=body["cckm_synchronization_params"])
    if module.check_mode:
        return Outcome(True, expected, view(expected))
    config = create(client, wanted)
    _warn_dropped(module, wanted.name, body, config)
    return Outcome(True, config, view(expected))


def update_schedule(module: Any, client: Any, current: Dict[str, Any], wanted: Wanted) -> Outcome:
    body = patch_body(wanted, current)
    expected = predicted(current, body)
    if not body:
        return Outcome(False, current, view(expected))
    if module.check_mode:
        return Outcome(True, expected, view(expected))
    config = update(client, current, wanted)
    _warn_dropped(module, wanted.name, body, config)
    return Outcome(True, config, view(expected))


def warn_if_it_never_runs(module: Any, name: str, config: Optional[Dict[str, Any]]) -> None:
    reason = why_it_never_runs(config, datetime.datetime.now(UTC))
    if reason:
        module.warn("Schedule %r never runs as it stands: %s, so next_run_at is null." % (name, reason))


class RanNow(NamedTuple):
    sync_job: Optional[Dict[str, Any]]
    reused: bool


def run_it_now(module: Any, client: Any, config: Optional[Dict[str, Any]]) -> RanNow:
    """``run_now: true``: the job the run started (or the running one that covers it); nothing in check mode."""
    if module.check_mode:
        return RanNow(None, False)
    ran = run_now(client, config)
    for warning in ran.warnings:
        module.warn(warning)
    return RanNow(ran.sync_job, ran.reused)


def shown(config: Optional[Dict[str, Any]], check_mode: bool) -> Optional[Dict[str, Any]]:
    """The ``schedule`` returned: CM's config normalized, or (check mode) the one that would be written."""
    if config is None or not (config.get("id") or check_mode):
        return None
    return normalize_schedule(config, datetime.datetime.now(UTC))


def _warn_dropped(module: Any, name: str, sent: Dict[str, Any], config: Dict[str, Any]) -> None:
    dropped = dropped_params(sent, config)
    if dropped:
        module.warn(
            "CipherTrust Manager did not keep %s in schedule %r: its answer holds no such parameter, so CM ignores it "
            "(the vendor's own clients never send it). Later runs do not send it again on its own."
            % (" and ".join(dropped), name)
        )


def _replaceable(module: Any, client: Any, current: Dict[str, Any], wanted: Wanted) -> Wanted:
    """A schedule of another cloud: refused unless ``recreate``; then deleted, and ``wanted`` to create anew.

    The settings the task does not give (``description``, ``disabled``, dates, ``run_on``) are
    carried over from the deleted schedule, as the documentation promises.
    """
    have = cloud_of(current)
    have_name = have.name if have else "cloud_name %r" % params_of(current).get("cloud_name")
    if not module.params["recreate"]:
        raise CckmInputError(
            "cloud",
            "schedule %r (id %s) synchronizes %s, and CipherTrust Manager cannot change a schedule's cloud. Set "
            "recreate: true to delete it and create it anew for %s, or give another name."
            % (wanted.name, current.get("id"), have_name, wanted.cloud.name),
        )
    if not module.check_mode:
        delete(client, current)
    kept = {field: current.get(field) for field in SETTINGS if wanted.settings.get(field) is None}
    kept = {field: value for field, value in kept.items() if value is not None and value != ""}
    return wanted._replace(settings=dict(wanted.settings, **kept))


def run_schedule_info_module() -> None:
    module = new_module(schedule_info_argspec())
    params = module.params
    try:
        name = _name(params) if params.get("name") is not None else None
        if not 0 <= params["last_runs"] <= MAX_LAST_RUNS:
            raise CckmInputError(
                "last_runs", "must be 0 to %d, got %d (0 skips reading the runs)." % (MAX_LAST_RUNS, params["last_runs"])
            )
        client = client_from_module(module)
        configs = list_schedules(client, name)
        if params.get("cloud"):
            configs = [config for config in configs if cloud_of(config) is CLOUDS[params["cloud"]]]
        now = datetime.datetime.now(UTC)
        schedules = [normalize_schedule(config, now) for config in configs]
        if params["last_runs"] and schedules:
            attach_last_runs(schedules, read_runs(client, [str(s.get("id")) for s in schedules]), params["last_runs"])
    except CckmError as error:
        fail_from_error(module, error, schedules=[])
    module.exit_json(changed=False, schedules=schedules)
