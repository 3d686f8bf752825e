# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event source's logic: arguments, one poll per cloud and scope, transitions, checkpoint.

Internal to ciphertrust.cckm: not a public API, may change without notice.
``extensions/eda/plugins/event_source/sync_jobs.py`` is its entry point for ansible-rulebook. The
blocking HTTP calls run in a worker thread (``asyncio.to_thread``) so the event loop never stalls.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import tempfile
import uuid
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, FILTER_OPTIONS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.backoff import growing_delays
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.connection import (
    CONNECTION_OPTIONS,
    ConnectionSettings,
    connection_settings,
    from_environment,
    given_as,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC, parse_duration, parse_time
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import (
    DEFAULT_MAX_AGE,
    read_targets,
    scope_status,
    usable_listing,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.scan import look
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    FINISHED_STATES,
    PARTIAL,
    SUCCEEDED,
    normalize_job,
)

EVENT_KINDS = ("started", "finished", "stale", "fresh")
JOB_EVENTS = ("started", "finished")
TARGET_EVENTS = ("stale", "fresh")
PAGE_SIZE = 50
"""Jobs read per listing request; most polls need only the first page."""
UUID_NAMESPACE = uuid.UUID("8f6f1c2e-5d0b-4c59-9a57-7b1f3f9c2c11")
SOURCE_ARGS = ("cloud", "scope", "interval", "events", "checkpoint", "max_age") + FILTER_OPTIONS
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


class SourceConfigError(ValueError):
    """An argument that cannot work: the source ends at once, with this message."""


class Watch(NamedTuple):
    cloud: Cloud
    scope: str
    filter_values: List[str]

    @property
    def key(self) -> str:
        return "%s/%s" % (self.cloud.name, self.scope)


class SourceConfig(NamedTuple):
    settings: ConnectionSettings
    watches: List[Watch]
    interval: float
    events: Tuple[str, ...]
    checkpoint: Optional[str]
    max_age: int = parse_duration(DEFAULT_MAX_AGE)

    @classmethod
    def from_args(cls, args: Mapping[str, Any], environ: Mapping[str, str]) -> SourceConfig:
        """The rulebook's args (connection options falling back to CM_* variables), checked before any request."""
        unknown = sorted(set(args) - set(SOURCE_ARGS) - set(CONNECTION_OPTIONS))
        if unknown:
            raise _error(
                unknown[0],
                "is not an argument of ciphertrust.cckm.sync_jobs; arguments: %s."
                % ", ".join(sorted(SOURCE_ARGS + tuple(CONNECTION_OPTIONS))),
            )
        params = {name: _connection_value(name, args, environ) for name in CONNECTION_OPTIONS}
        try:
            settings = connection_settings(params, ca_origin=given_as("ca_cert", args, environ))
        except CckmError as error:
            raise SourceConfigError("ciphertrust.cckm.sync_jobs: %s" % error.message) from None
        return cls(
            settings,
            _watches(args),
            _interval(args.get("interval", 30)),
            _events(args.get("events")),
            _checkpoint(args.get("checkpoint")),
            _max_age(args.get("max_age")),
        )


def _error(option: str, text: str) -> SourceConfigError:
    return SourceConfigError("ciphertrust.cckm.sync_jobs: %s: %s" % (option, text))


def _connection_value(name: str, args: Mapping[str, Any], environ: Mapping[str, str]) -> Any:
    option = CONNECTION_OPTIONS[name]
    value = args.get(name)
    if value is None:
        value = from_environment(option, environ)
    if value is None or (value == "" and option.spec["type"] in ("bool", "float")):
        return option.spec.get("default")
    kind = option.spec["type"]
    if kind == "bool" and not isinstance(value, bool):
        text = str(value).strip().lower()
        if text not in _TRUE + _FALSE:
            raise _error(name, "must be true or false, got %r." % value)
        return text in _TRUE
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _error(name, "must be a number of seconds, got %r." % value) from None
    if kind == "list":  # address: a list of nodes, or comma-separated text
        return [str(part) for part in value] if isinstance(value, (list, tuple)) else str(value)
    return str(value)


def _watches(args: Mapping[str, Any]) -> List[Watch]:
    asked = args.get("cloud", "all")
    names = sorted(CLOUDS) if asked in (None, "", "all") else ([asked] if isinstance(asked, str) else list(asked))
    unknown = [name for name in names if name not in CLOUDS]
    if unknown or not names:
        raise _error(
            "cloud",
            "%s is not a cloud of this collection; give one of %s, a list of them, or all."
            % (", ".join(repr(name) for name in unknown) if unknown else repr(asked), ", ".join(sorted(CLOUDS))),
        )
    filters = {option: args[option] for option in FILTER_OPTIONS if args.get(option) is not None}
    if len(names) > 1:
        for option in ("scope",) + tuple(filters):
            if args.get(option) is not None:
                raise _error(option, "applies to one cloud only; with several clouds, every scope of each is watched.")
        return [Watch(CLOUDS[name], scope, []) for name in names for scope in sorted(CLOUDS[name].scopes)]
    cloud = CLOUDS[names[0]]
    scope = args.get("scope") or cloud.default_scope
    if scope not in cloud.scopes:
        raise _error(
            "scope", "%r is not a scope of %s; choose one of: %s." % (scope, cloud.name, ", ".join(sorted(cloud.scopes)))
        )
    values: List[str] = []
    for option, given in filters.items():
        if option != cloud.filter_option:
            raise _error(
                option, "is not the scope filter of %s (its filter is %s)." % (cloud.name, cloud.filter_option or "none")
            )
        values = [str(value).strip() for value in (given if isinstance(given, list) else [given]) if str(value).strip()]
    return [Watch(cloud, scope, values)]


def _interval(value: Any) -> float:
    try:
        interval = float(value)
    except (TypeError, ValueError):
        raise _error("interval", "must be a number of seconds, got %r." % value) from None
    if interval <= 0:
        raise _error("interval", "must be more than 0 seconds, got %r." % value)
    return interval


def _events(value: Any) -> Tuple[str, ...]:
    kinds = list(JOB_EVENTS) if value is None else ([value] if isinstance(value, str) else list(value))
    if not kinds or any(kind not in EVENT_KINDS for kind in kinds):
        raise _error("events", "may list started, finished, stale and fresh, got %r." % (value,))
    return tuple(kinds)


def _max_age(value: Any) -> int:
    seconds = parse_duration(DEFAULT_MAX_AGE if value is None else value)
    if seconds is None:
        raise _error("max_age", "must be a duration such as 24h, 90m or 7d, or a number of seconds, got %r." % (value,))
    return seconds


def _checkpoint(value: Any) -> Optional[str]:
    if not value:
        return None
    path = os.path.abspath(os.path.expanduser(str(value)))
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise _error(
            "checkpoint",
            "the directory %s of %r does not exist; create it (the source writes the file itself)." % (directory, value),
        )
    if not os.access(directory, os.W_OK):
        raise _error("checkpoint", "the directory %s of %r is not writable by this user." % (directory, value))
    return path


def retry_line(error: CckmError) -> str:
    """What a transient failure was, for the line the source logs before polling again."""
    message = error.message_without_attempts.rstrip(".")
    tried = " (%d attempts)" % error.attempts if error.attempts > 1 else ""
    if error.status is None:
        return "CM unreachable: %s%s" % (message, tried)
    return "CM answered HTTP %s: %s%s" % (error.status, message, tried)


# -- checkpoint ---------------------------------------------------------------------------------------


def load_checkpoint(path: Optional[str]) -> Optional[Dict[str, Any]]:
    """The saved state, or None for a fresh start (no path, or no file yet); unreadable is an error."""
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("watches"), dict):
            raise ValueError("not a ciphertrust.cckm.sync_jobs checkpoint")
        return data
    except (OSError, ValueError) as error:
        raise SourceConfigError(
            "ciphertrust.cckm.sync_jobs: checkpoint: %r cannot be read (%s); fix it, or delete it to start afresh "
            "(jobs that finished meanwhile are then not sent)." % (path, error)
        ) from None


def save_checkpoint(path: str, data: Dict[str, Any]) -> None:
    """Replace the checkpoint atomically: a crash leaves the old one or the new one, never half a file."""
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".cckm-checkpoint-")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream)
        os.replace(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


# -- polling ----------------------------------------------------------------------------------------


def event_for(job: Dict[str, Any], watch: Watch, previous: Optional[str]) -> Dict[str, Any]:
    return {
        "sync_job": job,
        "cloud": watch.cloud.name,
        "scope": watch.scope,
        "state": job["state"],
        "previous_state": previous,
        "meta": {"uuid": str(uuid.uuid5(UUID_NAMESPACE, "%s:%s" % (job.get("id"), job["state"])))},
    }


def poll_watch(client: Any, watch: Watch, seen: Dict[str, Any], fresh: bool) -> List[Dict[str, Any]]:
    """Events of one look at ``watch``; ``seen`` (``{"running": {id: state}, "newest": createdAt}``) is updated.

    One ``scan.look``: newest first back to the previous poll, then each job known to be running by
    id, so a long history, or a job stuck in progress for years, does not make a poll cost more.
    ``fresh``: the source has no past (first poll, no checkpoint): jobs already finished are not sent.
    """
    running: Dict[str, str] = seen.setdefault("running", {})
    newest = seen.get("newest") or ""
    query = JobQuery(watch.cloud, scope=watch.scope, filter_values=watch.filter_values)
    found = look(client, query, running, None if fresh else newest, PAGE_SIZE)
    for job_id in found.gone:
        running.pop(job_id, None)  # deleted from CM: nothing more will happen to it
    events = []
    for job in found.jobs:
        normalize_job(job)
        job_id = str(job.get("id"))
        finished = job["state"] in FINISHED_STATES
        if job_id in running:
            if finished:
                events.append(event_for(job, watch, running.pop(job_id)))
        elif not finished:
            running[job_id] = job["state"]
            events.append(event_for(job, watch, None))
        elif not fresh and str(job.get("createdAt") or "") > newest:
            events.append(event_for(job, watch, None))  # started and finished between two polls
        seen["newest"] = max(seen.get("newest") or "", str(job.get("createdAt") or ""))
    return events


def target_event(target: Dict[str, Any], state: str, previous: Optional[str]) -> Dict[str, Any]:
    key = "%s:%s/%s/%s:%s" % (state, target["cloud"], target["scope"], target["target"], target.get("last_success_at"))
    return {
        "target": target,
        "cloud": target["cloud"],
        "scope": target["scope"],
        "target_option": CLOUDS[target["cloud"]].target_option,  # sync_job's option that names it
        "state": state,
        "previous_state": previous,
        "meta": {"uuid": str(uuid.uuid5(UUID_NAMESPACE, key))},
    }


def is_stale(target: Dict[str, Any], max_age: int) -> bool:
    """No success within ``max_age``: the last one is older, or there never was one."""
    return target.get("age") is None or target["age"] > max_age


def staleness_due(seen: Dict[str, Any], max_age: int, now: datetime.datetime, succeeded: bool) -> bool:
    """Whether the targets must be read again: never read, a fresh target's last success passes ``max_age``
    now, or a job succeeded while a target is stale (it may be fresh again)."""
    targets = seen.get("targets")
    if targets is None:
        return True
    for target in targets.values():
        if target["stale"]:
            if succeeded:
                return True
            continue
        last = parse_time(target.get("last_success_at"))
        if last is None or (now - last).total_seconds() > max_age:
            return True
    return False


def check_staleness(
    client: Any, watch: Watch, seen: Dict[str, Any], max_age: int, now: datetime.datetime, warn: Any
) -> List[Dict[str, Any]]:
    """``stale`` for each target whose last success passed ``max_age`` since the last check, ``fresh`` for each
    stale one that succeeded again; ``seen["targets"]`` (kept in the checkpoint) remembers which are stale."""
    path = watch.cloud.scope(watch.scope).targets
    resources, warning = usable_listing(read_targets(client, path), watch.cloud, watch.scope) if path else (None, None)
    if warning:
        warn(warning)
    status = scope_status(client, watch.cloud, watch.scope, max_age, now, resources)
    for warning in status.warnings:
        warn(warning)
    known: Dict[str, Any] = seen.setdefault("targets", {})
    events = []
    for target in status.targets:
        if watch.filter_values and not any(value in (target["target"], target["target_id"]) for value in watch.filter_values):
            continue
        stale = is_stale(target, max_age)
        before = known.get(target["target"])
        if stale and not (before and before["stale"]):
            events.append(target_event(target, "stale", "fresh" if before else None))
        elif not stale and before and before["stale"]:
            events.append(target_event(target, "fresh", "stale"))
        known[target["target"]] = {"stale": stale, "last_success_at": target["last_success_at"]}
    return events


class SyncJobSource:
    """Polls every watch each ``interval`` seconds and puts the transitions on a queue."""

    def __init__(
        self, config: SourceConfig, logger: Any, sleep: Any = asyncio.sleep, client: Any = None, now: Any = None
    ) -> None:
        self.config = config
        self.now = now or (lambda: datetime.datetime.now(UTC))
        self.logger = logger
        self.sleep = sleep
        self.client = client or config.settings.client(on_retry=logger.info, on_skip=logger.warning)

    async def run(self, queue: Any) -> None:
        state = load_checkpoint(self.config.checkpoint)
        watches = (state or {}).get("watches", {})
        fresh = {watch.key for watch in self.config.watches} - set(watches)  # no past for these yet
        delays = None
        while True:
            try:
                for watch in self.config.watches:
                    seen = watches.setdefault(watch.key, {"running": {}, "newest": ""})
                    events = await asyncio.to_thread(poll_watch, self.client, watch, seen, watch.key in fresh)
                    fresh.discard(watch.key)
                    for event in events:
                        kind = "started" if event["state"] not in FINISHED_STATES else "finished"
                        if kind in self.config.events:
                            await queue.put(event)
                    if set(TARGET_EVENTS) & set(self.config.events):
                        now = self.now()
                        succeeded = any(event["state"] in (SUCCEEDED, PARTIAL) for event in events)
                        if staleness_due(seen, self.config.max_age, now, succeeded):
                            changes = await asyncio.to_thread(
                                check_staleness, self.client, watch, seen, self.config.max_age, now, self.logger.warning
                            )
                            for event in changes:
                                if event["state"] in self.config.events:
                                    await queue.put(event)
                    if self.config.checkpoint:
                        save_checkpoint(self.config.checkpoint, {"version": 1, "watches": watches})
            except CckmError as error:
                if not error.transient:
                    raise SourceConfigError("ciphertrust.cckm.sync_jobs stopped: %s" % error.message) from None
                delays = delays or growing_delays(min(self.config.interval, 5.0), max(self.config.interval, 60.0))
                pause = next(delays)
                self.logger.warning("ciphertrust.cckm.sync_jobs: %s; polling again in %.0f s", retry_line(error), pause)
                await self.sleep(pause)
                continue
            delays = None
            await self.sleep(self.config.interval)
