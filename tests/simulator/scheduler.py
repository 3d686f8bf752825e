"""CM's scheduler as the simulator plays it: synchronization job configs, run-now, and the runs history.

Written from the vendor's API page "Scheduling Synchronization" and its Terraform provider, on
purpose without the collection's code: CM's scheduler cloud names and target fields are typed here
again, so a wrong name in the collection's table fails a test. Each undocumented behaviour is a
switch of ``Scheduling`` (how ``name`` filters, whether a PATCHed parameter block is merged or
replaces the old one, what run-now answers).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

from tests.simulator.families import SCHEDULER_CLOUDS
from tests.simulator.store import iso

CONFIGS = "/api/v1/scheduler/job-configs"
RUNS = "/api/v1/scheduler/jobs"
OPERATION = "cckm_synchronization"
# scheduler cloud_name -> (the simulator's family cloud, the params field that lists the targets)
SETTINGS = ("run_at", "description", "disabled", "start_date", "end_date", "run_on")
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|sun|mon|tue|wed|thu|fri|sat)$", re.I)

Answer = Tuple[int, Any]


def error(status: int, code: int, code_desc: str, message: str) -> Answer:
    return status, {"code": code, "codeDesc": code_desc, "message": message, "requestID": str(uuid.uuid4())}


def cron_problem(text: Any) -> Optional[str]:
    """Why CM would refuse ``run_at``, or None."""
    fields = str(text or "").split()
    if len(fields) != 5:
        return "run_at must be a cron expression of 5 fields"
    for position, (part, (low, high)) in enumerate(zip(fields, _CRON_RANGES)):
        if part == "?" and position in (2, 4):  # any day: CM's scheduling pages allow it in the day fields
            continue
        for item in part.split(","):
            body, _slash, step = item.partition("/")
            if step and not step.isdigit():
                return "invalid step in %r" % part
            for value in body.split("-") if body != "*" else []:
                if _NAMES.match(value):
                    continue
                if not value.isdigit() or not low <= int(value) <= high:
                    return "invalid value %r in cron field %r" % (value, part)
    return None


def _allowed(part: str, low: int, high: int) -> set:
    """The values one cron field allows (names of days and months read as numbers)."""
    names = {name: number for number, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
    names.update(
        {
            name: number + 1
            for number, name in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
        }
    )
    values: set = set()
    for item in part.lower().split(","):
        body, _slash, step = item.partition("/")
        first, _dash, last = body.partition("-")
        start = low if body == "*" else int(names.get(first, first))
        end = high if body == "*" or (_slash and not _dash) else int(names.get(last or first, last or first))
        values |= set(range(start, end + 1, int(step or 1)))
    return values


def cron_due(text: str, moment: time.struct_time) -> bool:
    """Whether ``text`` runs in the UTC minute ``moment``."""
    minute, hour, day, month, weekday = ("*" if part == "?" else part for part in str(text).split())
    dow = {value % 7 for value in _allowed(weekday, 0, 7)}
    in_day, in_weekday = moment.tm_mday in _allowed(day, 1, 31), (moment.tm_wday + 1) % 7 in dow
    days_ok = (in_day or in_weekday) if not day.startswith("*") and not weekday.startswith("*") else (in_day and in_weekday)
    return (
        moment.tm_min in _allowed(minute, 0, 59)
        and moment.tm_hour in _allowed(hour, 0, 23)
        and (moment.tm_mon in _allowed(month, 1, 12) and days_ok)
    )


class Scheduling:
    """How the scheduler answers where the API pages are silent (tests set these)."""

    def __init__(self) -> None:
        self.name_filter = "exact"  # ``name`` query key: exact, contains (substring) or ignored
        self.params_patch = "merge"  # a PATCHed cckm_synchronization_params: merge into the old block, or replace it
        self.params_as_text = False  # answer job_config_params as JSON text instead of an object
        self.run_now_answer = "run"  # run (the scheduler's run record), job (the synchronization job) or empty (204)
        self.run_now_refuse_status = 409  # as a start is: this status while a job of the cloud runs (0: run anyway)
        self.fire = False  # run the enabled configs when their run_at comes, as CM does (off: tests decide when runs happen)
        self.run_status_field = "job_status"  # the field a run's status is answered in (the vendor's CLI filters job_status)
        self.dropped_params = ()  # params fields CM does not keep: dropped from every create and PATCH (e.g. ("regions",))


class Scheduler:
    """Job configs and runs; every write is recorded as ``{"method", "path", "body"}``."""

    def __init__(
        self,
        start_job: Callable[[str, List[str]], Any],
        running_job: Callable[[str], Any],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.start_job = start_job  # (family cloud, targets) -> SimJob
        self.running_job = running_job  # family cloud -> a running SimJob or None
        self.lock = threading.Lock()
        self.configs: Dict[str, Dict[str, Any]] = {}
        self.runs: List[Dict[str, Any]] = []
        self.writes: List[Dict[str, Any]] = []
        self.settings = Scheduling()

    def tick(self, now: float) -> None:
        """Run every enabled config whose ``run_at`` is due this minute and that has not run in it yet."""
        if not self.settings.fire:
            return
        minute = time.gmtime(now)
        stamp = time.strftime("%Y-%m-%dT%H:%M", minute)
        with self.lock:
            due = [
                c
                for c in self.configs.values()
                if not c.get("disabled")
                and c.get("last_fired") != stamp
                and not cron_problem(c.get("run_at"))
                and cron_due(c["run_at"], minute)
            ]
            for config in due:
                config["last_fired"] = stamp
        for config in due:
            self._run(config)

    def _run(self, config: Dict[str, Any]) -> Tuple[Any, Dict[str, Any]]:
        cloud, field = SCHEDULER_CLOUDS[config["params"]["cloud_name"]]
        params = config["params"]
        targets = [] if params.get("synchronize_all") else list(params.get(field) or [])
        job = self.start_job(cloud, targets)
        return job, self.add_run(config["id"], "in_progress", self.clock(), job=job)

    def clear(self) -> None:
        with self.lock:
            self.configs.clear()
            self.runs.clear()
            self.writes.clear()
            self.settings = Scheduling()

    # -- test controls ----------------------------------------------------------------------------

    def add_config(self, name: str, cloud_name: str, params: Dict[str, Any], operation: str = OPERATION, **settings: Any) -> str:
        now = self.clock()
        config = {
            "id": str(uuid.uuid4()),
            "name": name,
            "operation": operation,
            "run_at": "0 2 * * *",
            "disabled": False,
            "run_on": "any",
            "createdAt": iso(now),
            "updatedAt": iso(now),
            "params": dict(params, cloud_name=cloud_name),
            "last_fired": time.strftime("%Y-%m-%dT%H:%M", time.gmtime(now)),  # it runs from the next minute on
        }
        config.update(settings)
        with self.lock:
            self.configs[config["id"]] = config
        return config["id"]

    def add_run(self, config_id: str, status: str, started: float, job: Any = None) -> Dict[str, Any]:
        config = self.configs[config_id]
        run = {
            "id": str(uuid.uuid4()),
            "job_config_id": config_id,
            "name": config["name"],
            "operation": config["operation"],
            "status": status,
            "createdAt": iso(started),
            "updatedAt": iso(started),
            "job": job,
        }
        with self.lock:
            self.runs.append(run)
        return run

    # -- rendering --------------------------------------------------------------------------------

    def render(self, config: Dict[str, Any]) -> Dict[str, Any]:
        shown = {key: value for key, value in config.items() if key not in ("params", "last_fired")}
        shown["job_config_params"] = json.dumps(config["params"]) if self.settings.params_as_text else dict(config["params"])
        return shown

    def render_run(self, run: Dict[str, Any]) -> Dict[str, Any]:
        """A run as CM answers it: its status (under ``run_status_field``) follows its sync job while there is one."""
        shown = {key: value for key, value in run.items() if key not in ("job", "status")}
        status = run["status"]
        job = run["job"]
        if job is not None:
            now = self.clock()
            rendered = job.render(now)
            if not job.finished(now):
                status = "in_progress"
            elif rendered.get("abort") is True:
                status = "aborted"
            else:
                status = "failed" if job.overall_status(now) in ("failed", "error") else "completed"
            shown["updatedAt"] = iso(min(now, job.stops_at))
        shown[self.settings.run_status_field] = status
        return shown

    # -- API --------------------------------------------------------------------------------------

    def _record(self, method: str, path: str, body: Any) -> None:
        with self.lock:
            self.writes.append({"method": method, "path": path, "body": body})

    def list_configs(self, query: Dict[str, List[str]]) -> List[Dict[str, Any]]:
        with self.lock:
            configs = sorted(self.configs.values(), key=lambda c: c["createdAt"], reverse=True)
        names = query.get("name")
        mode = self.settings.name_filter
        if names and mode == "exact":
            configs = [c for c in configs if c["name"] == names[0]]
        elif names and mode == "contains":
            configs = [c for c in configs if names[0] in c["name"]]
        if query.get("operation"):
            configs = [c for c in configs if c["operation"] == query["operation"][0]]
        return [self.render(c) for c in configs]

    def list_runs(self, query: Dict[str, List[str]]) -> List[Dict[str, Any]]:
        with self.lock:
            runs = sorted(self.runs, key=lambda r: r["createdAt"], reverse=True)
        if query.get("job_config_id"):
            runs = [r for r in runs if r["job_config_id"] == query["job_config_id"][0]]
        return [self.render_run(r) for r in runs]

    def get(self, config_id: str) -> Answer:
        with self.lock:
            config = self.configs.get(config_id)
        if config is None:
            return error(404, 4, "NCERRResourceNotFound", "Job config %s not found" % config_id)
        return 200, self.render(config)

    def create(self, path: str, body: Any) -> Answer:
        self._record("POST", path, body)
        if not isinstance(body, dict):
            return error(400, 7, "NCERRInvalidParamValue", "Invalid JSON body")
        for field in ("name", "operation", "run_at"):
            if not body.get(field):
                return error(400, 7, "NCERRInvalidParamValue", "%s is required" % field)
        problem = cron_problem(body["run_at"])
        if problem:
            return error(400, 7, "NCERRInvalidParamValue", "Invalid run_at: %s" % problem)
        params = body.get("cckm_synchronization_params")
        if body["operation"] == OPERATION and (not isinstance(params, dict) or params.get("cloud_name") not in SCHEDULER_CLOUDS):
            return error(
                400,
                7,
                "NCERRInvalidParamValue",
                "cckm_synchronization_params.cloud_name must be one of %s" % ", ".join(SCHEDULER_CLOUDS),
            )
        with self.lock:
            if any(c["name"] == body["name"] for c in self.configs.values()):
                return error(409, 11, "NCERRConflict", "A job config named %s already exists" % body["name"])
        settings = {field: body[field] for field in SETTINGS if field in body}
        config_id = self.add_config(
            body["name"],
            params["cloud_name"],
            {k: v for k, v in params.items() if k != "cloud_name" and k not in self.settings.dropped_params},
            operation=body["operation"],
            **settings,
        )
        return 201, self.render(self.configs[config_id])

    def patch(self, path: str, config_id: str, body: Any) -> Answer:
        self._record("PATCH", path, body)
        with self.lock:
            config = self.configs.get(config_id)
        if config is None:
            return error(404, 4, "NCERRResourceNotFound", "Job config %s not found" % config_id)
        if not isinstance(body, dict):
            return error(400, 7, "NCERRInvalidParamValue", "Invalid JSON body")
        if "run_at" in body and cron_problem(body["run_at"]):
            return error(400, 7, "NCERRInvalidParamValue", "Invalid run_at: %s" % cron_problem(body["run_at"]))
        params = body.get("cckm_synchronization_params")
        if params is not None:
            if params.get("cloud_name") not in (None, config["params"]["cloud_name"]):
                return error(400, 7, "NCERRInvalidParamValue", "cloud_name cannot be changed")
            base = config["params"] if self.settings.params_patch == "merge" else {"cloud_name": config["params"]["cloud_name"]}
            kept = {k: v for k, v in params.items() if k != "cloud_name" and k not in self.settings.dropped_params}
            config["params"] = dict(base, **kept)
        for field in SETTINGS:
            if field in body:
                config[field] = body[field]
        config["updatedAt"] = iso(self.clock())
        return 200, self.render(config)

    def delete(self, path: str, config_id: str) -> Answer:
        self._record("DELETE", path, None)
        with self.lock:
            config = self.configs.pop(config_id, None)
        if config is None:
            return error(404, 4, "NCERRResourceNotFound", "Job config %s not found" % config_id)
        return 204, b""

    def run_now(self, path: str, config_id: str) -> Answer:
        self._record("POST", path, None)
        with self.lock:
            config = self.configs.get(config_id)
        if config is None:
            return error(404, 4, "NCERRResourceNotFound", "Job config %s not found" % config_id)
        cloud, field = SCHEDULER_CLOUDS[config["params"]["cloud_name"]]
        running = self.running_job(cloud)
        if running is not None and self.settings.run_now_refuse_status:
            return error(
                self.settings.run_now_refuse_status,
                9,
                "NCERRConflict",
                "Synchronization job %s is already in progress" % running.id,
            )
        params = config["params"]
        targets = [] if params.get("synchronize_all") else list(params.get(field) or [])
        job = self.start_job(cloud, targets)
        run = self.add_run(config_id, "in_progress", self.clock(), job=job)
        if self.settings.run_now_answer == "job":
            return 200, job.render(self.clock())
        if self.settings.run_now_answer == "empty":
            return 204, b""
        return 200, self.render_run(run)
