"""The benchmark's scenarios: each runs real ansible commands (or the collection's own code) against
the simulator and returns raw samples; bench.py turns them into figures and verdicts.

Every repetition runs the collection and its baseline back to back, so slow drift on the machine
hits both alike.
"""

from __future__ import annotations

import gc
import json
import os
import pathlib
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

from tests.integration.conftest import BIN, ROOT, Ansible
from tests.perf.measure import Measured, run_tree
from tests.simulator import Simulator
from tests.simulator.families import FAMILIES

AWS_JOBS_PATH = FAMILIES[("aws", "keys")].path
Samples = Dict[str, List[Any]]

FLOOR_PLAYBOOK = """
- name: The floor, one module doing nothing
  hosts: all
  gather_facts: false
  tasks:
    - name: ping
      ansible.builtin.ping:
"""

WAIT_PLAYBOOK = """
- name: Wait with the collection
  hosts: all
  gather_facts: false
  tasks:
    - name: wait
      ciphertrust.cckm.sync_job_wait:
        cloud: aws
        id: ["{{ job_id }}"]
        poll_interval: %(interval)s
        max_poll_interval: %(interval)s
        timeout: 300
"""


def uri_poll(job: str) -> str:
    """The uri + until task both uri baselines end with: poll the job ``{{ job }}`` by id until it has ended."""
    return (
        """    - name: wait
      ansible.builtin.uri:
        url: "{{ cm_url }}%(path)s/{{ """
        + job
        + """ }}"
        headers:
          Authorization: "Bearer {{ cm_login.json.jwt }}"
        ca_path: "{{ cm_ca }}"
      register: cm_job
      until: cm_job.json.completed_at is defined
      retries: 1000
      delay: %(interval)s
"""
    )


# Start a sync and wait for it: one sync_job task, against a uri POST and a uri + until loop.
START_PLAYBOOK = """
- name: Start and wait with the collection
  hosts: all
  gather_facts: false
  tasks:
    - name: wait
      ciphertrust.cckm.sync_job:
        cloud: aws
        kms: [kms-bench]
        wait: true
        poll_interval: %(interval)s
        max_poll_interval: %(interval)s
        timeout: 300
"""

URI_START_PLAYBOOK = """
- name: Start and wait with uri and until
  hosts: all
  gather_facts: false
%(login)s    - name: start
      ansible.builtin.uri:
        url: "{{ cm_url }}%(path)s"
        method: POST
        body_format: json
        body:
          kms: [kms-bench]
        headers:
          Authorization: "Bearer {{ cm_login.json.jwt }}"
        ca_path: "{{ cm_ca }}"
        status_code: [200, 201]
      register: cm_started
""" + uri_poll("cm_started.json.id")

# Ansible's floor for a task that lasts as long as a wait: a module that only sleeps.
IDLE_PLAYBOOK = """
- name: The floor for a long task, one module sleeping
  hosts: all
  gather_facts: false
  tasks:
    - name: idle
      ansible.builtin.wait_for:
        timeout: %(seconds)s
"""

# The vars and login task both uri baselines start with (a JWT in cm_login.json.jwt).
URI_LOGIN = """  vars:
    cm_url: "https://{{ lookup('ansible.builtin.env', 'CM_ADDRESS') }}"
    cm_ca: "{{ lookup('ansible.builtin.env', 'CM_CA_CERT') }}"
  tasks:
    - name: login
      ansible.builtin.uri:
        url: "{{ cm_url }}/api/v1/auth/tokens"
        method: POST
        body_format: json
        body:
          grant_type: password
          username: "{{ lookup('ansible.builtin.env', 'CM_USERNAME') }}"
          password: "{{ lookup('ansible.builtin.env', 'CM_PASSWORD') }}"
        ca_path: "{{ cm_ca }}"
      register: cm_login
      no_log: true
"""

# What people write today: log in once, then poll the job by id with uri + until.
URI_PLAYBOOK = """
- name: Wait with uri and until
  hosts: all
  gather_facts: false
%(login)s""" + uri_poll("job_id")


class Bench:
    """Runs ansible commands with the simulator's CM_* variables and measures each process tree."""

    def __init__(self, sim: Simulator, workdir: pathlib.Path, ansible_cfg: str = "") -> None:
        self.sim = sim
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.ansible = Ansible(sim, workdir)
        self.runs = 0
        self.extra_env: Dict[str, str] = {}
        if ansible_cfg:
            config = workdir / "ansible.cfg"
            config.write_text(ansible_cfg)
            self.extra_env["ANSIBLE_CONFIG"] = str(config)

    def env(self, **overrides: str) -> Dict[str, str]:
        return self.ansible.env(**dict(self.extra_env, **overrides))

    def inventory(self, hosts: int) -> str:
        """``hosts`` inventory entries that all run on this machine, as delegate_to: localhost would."""
        path = self.workdir / ("hosts-%d.ini" % hosts)
        if not path.exists():
            lines = [
                "waiter-%02d ansible_connection=local ansible_python_interpreter=%s" % (n + 1, sys.executable)
                for n in range(hosts)
            ]
            path.write_text("\n".join(lines) + "\n")
        return str(path)

    def _next(self, suffix: str) -> pathlib.Path:
        self.runs += 1
        return self.workdir / ("run-%03d.%s" % (self.runs, suffix))

    def playbook(self, text: str, hosts: int = 1, *args: str, timeout: float = 600) -> tuple:
        """(Measured, task records) for ``text`` run over ``hosts`` inventory entries."""
        path = self._next("yml")
        path.write_text(text)
        record = self._next("jsonl")
        env = self.env(CCKM_RECORD_FILE=str(record))
        argv = [os.path.join(BIN, "ansible-playbook"), "-i", self.inventory(hosts), str(path), *args]
        measured = _checked(run_tree(argv, env, str(self.workdir), timeout, str(self._next("log"))))
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        return measured, records

    def adhoc(self, module: str, module_args: str = "", *options: str, timeout: float = 300) -> Measured:
        """``ansible localhost -m module -a args``, as a user types it (no recorder: nothing extra to carry)."""
        argv = [os.path.join(BIN, "ansible"), "localhost", *options, "-m", module] + (["-a", module_args] if module_args else [])
        return _checked(run_tree(argv, self.env(), str(self.workdir), timeout, str(self._next("log"))))

    def python(self, *argv: str, timeout: float = 300) -> Measured:
        return _checked(run_tree([sys.executable, *argv], self.env(), str(self.workdir), timeout, str(self._next("log"))))


def _checked(measured: Measured) -> Measured:
    if measured.rc != 0:
        raise RuntimeError("benchmark command failed (rc %d):\n%s" % (measured.rc, measured.output[-3000:]))
    return measured


def _cost(measured: Measured, **extra: Any) -> Dict[str, Any]:
    """A sample: what one command cost, plus ``extra`` figures."""
    return dict(wall=measured.wall, cpu=measured.cpu, rss=measured.max_rss_mb, **extra)


def _adhoc_result(measured: Measured) -> Dict[str, Any]:
    """The JSON an ad hoc ``ansible localhost -m ...`` printed after ``localhost | SUCCESS =>``."""
    return json.loads(measured.output.split("=>", 1)[1])


def _wait_sample(bench: Bench, measured: Measured, records: List[Dict[str, Any]], job: Any) -> Dict[str, Any]:
    results = [r for r in records if r["task"] == "wait"]
    if not results or any(r["status"] != "ok" for r in results):
        raise RuntimeError("the wait did not succeed on every host: %s" % measured.output[-3000:])
    stats = bench.sim.stats()
    polls = [r["result"].get("polls", r["result"].get("attempts", 1)) for r in results]
    return _cost(
        measured,
        requests=stats.get("requests", 0),
        logins=stats.get("logins", 0),
        refreshes=stats.get("refreshes", 0),
        polls=sum(polls),
        hosts=len(results),
        latency=max(r["time"] for r in results) - job.ends_at,
    )


def _wait_run(bench: Bench, text: str, hosts: int, job_seconds: float) -> Dict[str, Any]:
    bench.sim.reset()
    job = bench.sim.add_job("aws", duration=job_seconds)  # ends job_seconds after the launch
    extra = ["-f", "25"] if hosts > 1 else []
    measured, records = bench.playbook(text, hosts, "-e", "job_id=" + job.id, *extra)
    return _wait_sample(bench, measured, records, job)


def _floor_run(bench: Bench) -> Dict[str, Any]:
    bench.sim.reset()
    floor, _records = bench.playbook(FLOOR_PLAYBOOK)
    return _cost(floor)


def wait_one_job(bench: Bench, tuned: Bench, repeat: int, job_seconds: float, interval: float, fan_out_hosts: int) -> Samples:
    """1 and 4: the one-task floor, sync_job_wait and uri + until on one job, then many hosts waiting on it.

    ``tuned`` (its own simulator, an ansible.cfg with a coarser internal_poll_interval) repeats the floor,
    the wait and the uri loop; its wait and uri runs go beside the default ones (all four are idle
    most of the time, and each counts only its own process tree and its own simulator's requests).
    """
    samples: Samples = {name: [] for name in ("floor", "wait", "uri", "fan_out", "tuned_floor", "tuned_wait", "tuned_uri")}
    wait_text = WAIT_PLAYBOOK % {"interval": interval}
    uri_text = URI_PLAYBOOK % {"interval": "%g" % interval, "path": AWS_JOBS_PATH, "login": URI_LOGIN}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _repetition in range(repeat):
            samples["floor"].append(_floor_run(bench))
            samples["tuned_floor"].append(_floor_run(tuned))
            for name, text in (("wait", wait_text), ("uri", uri_text)):
                default_run = pool.submit(_wait_run, bench, text, 1, job_seconds)
                tuned_run = pool.submit(_wait_run, tuned, text, 1, job_seconds)
                samples[name].append(default_run.result())
                samples["tuned_" + name].append(tuned_run.result())
            samples["fan_out"].append(_wait_run(bench, wait_text, fan_out_hosts, job_seconds))
    return samples


def _start_run(bench: Bench, text: str, job_seconds: float) -> Dict[str, Any]:
    bench.sim.reset()
    bench.sim.starting.duration = job_seconds  # the started job ends job_seconds after the POST
    measured, records = bench.playbook(text, 1)
    jobs = bench.sim.store.query(AWS_JOBS_PATH, {}, time.time())
    if len(jobs) != 1:
        raise RuntimeError("the start made %d jobs" % len(jobs))
    return _wait_sample(bench, measured, records, jobs[0])


def start_and_wait(bench: Bench, tuned: Bench, repeat: int, job_seconds: float, interval: float) -> Samples:
    """7: start a job and wait for it in one sync_job task, against a uri POST plus a uri + until loop.

    Run beside each other as in 1 (the default and the tuned simulator), measured against 1's floors.
    """
    samples: Samples = {name: [] for name in ("start", "uri_start", "tuned_start", "tuned_uri_start")}
    ours = START_PLAYBOOK % {"interval": interval}
    theirs = URI_START_PLAYBOOK % {"interval": "%g" % interval, "path": AWS_JOBS_PATH, "login": URI_LOGIN}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _repetition in range(repeat):
            for name, text in (("start", ours), ("uri_start", theirs)):
                default_run = pool.submit(_start_run, bench, text, job_seconds)
                tuned_run = pool.submit(_start_run, tuned, text, job_seconds)
                samples[name].append(default_run.result())
                samples["tuned_" + name].append(tuned_run.result())
    return samples


def adhoc_calls(bench: Bench, repeat: int, jobs: int, server_page: int) -> Samples:
    """2 and 3: ping, an info call returning one job, one listing every job, and a bare requests loop."""
    samples: Samples = {"ping": [], "info_one": [], "info_all": [], "carry": [], "bare": [], "info_summary": []}
    canned = bench.workdir / "listing-result.json"
    bench.sim.reset()
    kept = bench.sim.max_limit
    bench.sim.max_limit = server_page
    try:
        created = bench.sim.add_jobs("aws", jobs)
        one = created[len(created) // 2].id
        for _repetition in range(repeat):
            ping = bench.adhoc("ansible.builtin.ping")
            samples["ping"].append(_cost(ping))

            info = bench.adhoc("ciphertrust.cckm.aws_sync_job_info", "id=" + one)
            found = _adhoc_result(info)["sync_jobs"]
            if [job["id"] for job in found] != [one]:
                raise RuntimeError("the one-job info call returned %d jobs" % len(found))
            samples["info_one"].append(_cost(info))

            before = bench.sim.stats().get("requests", 0)
            listing = bench.adhoc("ciphertrust.cckm.aws_sync_job_info")
            requests = bench.sim.stats().get("requests", 0) - before
            result = _adhoc_result(listing)
            found = result["sync_jobs"]
            if len(found) != jobs or len({job["id"] for job in found}) != jobs:
                raise RuntimeError(
                    "the listing returned %d jobs, %d distinct, of %d" % (len(found), len({j["id"] for j in found}), jobs)
                )
            samples["info_all"].append(_cost(listing, requests=requests))

            counted = bench.adhoc("ciphertrust.cckm.aws_sync_job_info", "summary_only=true")
            if _adhoc_result(counted)["total"] != jobs or "sync_jobs" in _adhoc_result(counted):
                raise RuntimeError("summary_only did not count the %d jobs without returning them" % jobs)
            samples["info_summary"].append(_cost(counted))

            # Ansible's floor for this result: a module that only returns the same result, read from a file.
            if not canned.exists():
                canned.write_text(json.dumps(result))
            carry = bench.adhoc("canned_result", "path=%s" % canned, "-M", os.path.join(ROOT, "tests", "perf", "library"))
            if len(_adhoc_result(carry)["sync_jobs"]) != jobs:
                raise RuntimeError("the canned module did not return the %d jobs" % jobs)
            samples["carry"].append(_cost(carry))

            before = bench.sim.stats().get("requests", 0)
            bare = bench.python(os.path.join(ROOT, "tests", "perf", "bare_listing.py"), AWS_JOBS_PATH, str(server_page))
            requests = bench.sim.stats().get("requests", 0) - before
            if int(bare.output.split()[-1]) != jobs:
                raise RuntimeError("the bare loop fetched %s jobs" % bare.output.split()[-1])
            samples["bare"].append(_cost(bare, requests=requests))
    finally:
        bench.sim.max_limit = kept
    return samples


class VirtualClock:
    """Time that passes only when the code sleeps: ten minutes of waiting in a fraction of a second."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


class MinuteMeter:
    """Requests the simulator saw, per minute of a wait's own (virtual) clock."""

    def __init__(self, sim: Simulator, minutes: int) -> None:
        self.sim = sim
        self.per_minute = [0] * minutes
        self.seen = 0

    def on_poll(self, _jobs: Any, elapsed: float, _polls: int, _error: Any) -> None:
        total = self.sim.stats().get("requests", 0)
        self.per_minute[min(len(self.per_minute) - 1, int(elapsed // 60))] += total - self.seen
        self.seen = total


def _virtual_clock_watch(sim: Simulator) -> Tuple[Any, VirtualClock, Any]:
    """A fresh simulator with one long AWS job, and the collection's IdWatch on it over real HTTPS,
    with a client whose clock and sleep are a virtual clock (minutes of waiting pass in a moment)."""
    sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.client import CckmClient, Credentials
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import IdWatch

    sim.reset()
    job = sim.add_job("aws", duration=10 * 3600)
    virtual = VirtualClock()
    client = CckmClient(
        "https://" + sim.address,
        Credentials(sim.username, sim.password),
        verify=sim.ca_file,
        clock=virtual.clock,
        sleep=virtual.sleep,
    )
    return job, virtual, IdWatch(client, JobQuery(CLOUDS["aws"], scope="keys", ids=[job.id]), [job.id])


def polling_load(bench: Bench, repeat: int, minutes: int) -> Samples:
    """5: requests per minute a long wait costs CM.

    The collection: its own waiter, watch and client (the code sync_job_wait runs), with the module's
    default intervals, over real HTTPS to the simulator, on a virtual clock so ten minutes take a
    second; JWT refreshes happen on that clock too. Its baseline is in idle_floor_and_uri_rate.
    """
    sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import wait_for_jobs
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.wait import wait_argspec

    defaults = wait_argspec()
    poll_interval = defaults["poll_interval"]["default"]
    max_poll_interval = defaults["max_poll_interval"]["default"]
    samples: Samples = {
        "collection": [],
        "defaults": [{"poll_interval": poll_interval, "max_poll_interval": max_poll_interval}],
    }
    sim = bench.sim
    for _repetition in range(repeat):
        _job, virtual, watch = _virtual_clock_watch(sim)
        meter = MinuteMeter(sim, minutes)
        outcome = wait_for_jobs(
            watch.poll,
            minutes * 60.0,
            poll_interval,
            max_poll_interval,
            clock=virtual.clock,
            sleep=virtual.sleep,
            on_poll=meter.on_poll,
        )
        stats = sim.stats()
        samples["collection"].append(
            {
                "requests": stats.get("requests", 0),
                "per_minute": meter.per_minute,
                "polls": outcome.polls,
                "logins": stats.get("logins", 0),
                "refreshes": stats.get("refreshes", 0),
            }
        )

    return samples


LATENESS_JOBS = (15.0, 70.0, 600.0)


def lateness(bench: Bench, repeat: int, job_lengths: Tuple[float, ...] = LATENESS_JOBS) -> Samples:
    """How long after a job ends the wait sees it (lateness) and requests per minute, in 0.1.0 and since 1.0.0.

    The collection's own waiter, watch and client over real HTTPS on a virtual clock (as in 5), with the
    module's default intervals; the job ends at ``length`` seconds of that clock. "before" is the same
    wait with pauses that only grow (to 30 s), as before the tenth-of-the-time-waited cap.
    """
    sys.path.insert(0, os.path.join(ROOT, ".build", "collections"))
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import wait_for_jobs
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.wait import wait_argspec

    defaults = wait_argspec()
    samples: Samples = {}
    sim = bench.sim
    for length in job_lengths:
        for rule, share in (("before", 0.0), ("after", None)):
            key = "%s %g" % (rule, length)
            samples[key] = []
            for _repetition in range(repeat):
                job, virtual, watch = _virtual_clock_watch(sim)

                def poll(job=job, virtual=virtual, watch=watch, length=length):
                    if virtual.now >= length and job.duration > 3600:  # the job ends at ``length`` on the wait's clock
                        job.duration = time.time() - job.created - 0.001
                    return watch.poll()

                outcome = wait_for_jobs(
                    poll,
                    3600.0,
                    defaults["poll_interval"]["default"],
                    defaults["max_poll_interval"]["default"],
                    clock=virtual.clock,
                    sleep=virtual.sleep,
                    lateness_share=share,
                )
                if outcome.jobs[0]["state"] != "succeeded":
                    raise RuntimeError("the %g s job did not end as planned: %s" % (length, outcome.jobs[0]["state"]))
                samples[key].append(
                    {
                        "lateness": outcome.elapsed - length,
                        "per_minute": sim.stats().get("get", 0) / (outcome.elapsed / 60.0),
                        "polls": outcome.polls,
                    }
                )
    return samples


STUCK_SINCE = time.mktime((2022, 3, 1, 0, 0, 0, 0, 0, 0))
"""When the stuck jobs started: in progress for years, under the whole history (as the vendor's example jobs)."""


def _use_collection() -> None:
    """Make ``ansible_collections.ciphertrust.cckm`` importable (the in-process scenarios call module_utils)."""
    path = os.environ.get("CCKM_BENCH_COLLECTIONS") or os.path.join(ROOT, ".build", "collections")
    if path not in sys.path:
        sys.path.insert(0, path)


def _collection_client(sim: Simulator) -> Any:
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.client import CckmClient, Credentials

    return CckmClient("https://" + sim.address, Credentials(sim.username, sim.password), verify=sim.ca_file)


def _api_requests(sim: Simulator) -> int:
    stats = sim.stats()
    return stats.get("requests", 0) - stats.get("logins", 0) - stats.get("refreshes", 0)


WAIT_TARGETS = 20
"""Targets of the wait whose cost row 9 measures."""


def filtered_wait_cost(bench: Bench, histories: List[int], polls: int = 4) -> Samples:
    """9: requests of each poll of a wait on 20 targets (``TargetWatch``, over real HTTPS), per history size.

    ``history`` finished jobs of another target lie above every named target's newest job; one named
    target's newest job runs on top, another's has been stuck in progress since 2022, under all of them; the
    other 18 ended long ago. CM's status filter exact (one spelling a listing) or lenient (both).
    """
    _use_collection()
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import TargetWatch

    sim = bench.sim
    samples: Samples = {"filtered_wait": []}
    targets = ["kms-%02d" % index for index in range(WAIT_TARGETS)]
    for mode in ("exact", "lenient"):
        for history in histories:
            sim.reset()
            sim.status_filter = mode
            now = time.time()
            sim.add_job("aws", filter_values=[targets[1]], created=STUCK_SINCE, duration=10**9, spelling="in progress")
            for index, name in enumerate(targets[2:]):
                sim.add_job("aws", filter_values=[name], created=now - 2 * 86400 - index, duration=60)
            sim.add_jobs("aws", history, filter_values=["kms-busy"], created=now - 86400, duration=60)
            sim.add_job("aws", filter_values=[targets[0]], created=now - 10, duration=3600)
            query = JobQuery(CLOUDS["aws"], filter_values=targets)
            watch = TargetWatch(_collection_client(sim), query, targets)
            per_poll = []
            for _poll in range(polls):
                before = _api_requests(sim)
                deciding = watch.poll()
                per_poll.append(_api_requests(sim) - before)
            if len(deciding) != WAIT_TARGETS:
                raise RuntimeError("the wait found %d deciding jobs, not one per target" % len(deciding))
            samples["filtered_wait"].append(
                {"mode": mode, "history": history, "first": per_poll[0], "later": max(per_poll[1:]), "stuck": 1}
            )
    sim.status_filter = "exact"
    return samples


def eda_load(bench: Bench, histories: List[int], polls: int) -> Samples:
    """8: what the event source costs CM: every cloud and scope watched, ``history`` finished AWS jobs,
    and two jobs stuck in progress since 2022 in every scope.

    The source's own poll (``poll_watch``) over real HTTPS, poll after poll (the interval does not change
    what a poll reads, so none is waited); a job starts and ends in the middle and must give its events.
    """
    _use_collection()
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import Watch, poll_watch

    sim = bench.sim
    samples: Samples = {"load": []}
    watches = [Watch(CLOUDS[name], scope, []) for name in sorted(CLOUDS) for scope in sorted(CLOUDS[name].scopes)]
    for history in histories:
        sim.reset()
        sim.add_jobs("aws", history, created=time.time() - 3600)
        stuck = []
        for watch in watches:
            for month in (1, 2):
                stuck.append(sim.add_job(watch.cloud.name, watch.scope, created=STUCK_SINCE + month * 86400, duration=10**9))
        client = _collection_client(sim)
        seen: Dict[str, Any] = {}
        per_poll: List[int] = []
        events: List[Dict[str, Any]] = []
        job = None
        for poll in range(polls):
            if poll == polls // 2:
                job = sim.add_job("azure", duration=0.0)  # starts and ends between two polls
            before = _api_requests(sim)
            for watch in watches:
                events += poll_watch(client, watch, seen.setdefault(watch.key, {}), fresh=poll == 0)
            per_poll.append(_api_requests(sim) - before)
        sent = [e["sync_job"]["id"] for e in events]
        if job is None or sent[len(stuck) :] != [job.id] or sorted(sent[: len(stuck)]) != sorted(j.id for j in stuck):
            raise RuntimeError("the event source did not report the stuck jobs once and the one job that ran: %s" % sent)
        samples["load"].append(
            {
                "history": history,
                "first": per_poll[0],
                "later": max(per_poll[1:]),
                "watches": len(watches),
                "stuck": len(stuck),
            }
        )
    return samples


def failover_wait(bench: Bench, polls_before: int = 3, job_polls: int = 8) -> Samples:
    """11: a wait by id over a 3-node cluster whose node in use goes down after ``polls_before`` polls, against the
    same wait on one healthy node: the requests and seconds the failover costs (in-process over HTTPS, 0.2 s polls).
    """
    _use_collection()
    samples: Samples = {"failover": []}
    for kind, nodes in (("healthy", 1), ("failover", 3)):
        samples["failover"].append(_failover_sample(kind, nodes, polls_before, job_polls))
    return samples


def _failover_sample(kind: str, nodes: int, polls_before: int, job_polls: int) -> Dict[str, Any]:
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.client import CckmClient, Credentials
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import wait_for_jobs
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import IdWatch

    with Simulator(nodes=nodes) as sim:
        job = sim.add_job("aws", polls=job_polls)
        skipped: List[str] = []
        client = CckmClient(
            ["https://" + address for address in sim.addresses],
            Credentials(sim.username, sim.password),
            verify=sim.ca_file,
            on_skip=skipped.append,
        )
        watch = IdWatch(client, JobQuery(CLOUDS["aws"], ids=[job.id]), [job.id])
        polled = [0]

        def poll() -> List[Dict[str, Any]]:
            polled[0] += 1
            if nodes > 1 and polled[0] == polls_before + 1:
                sim.stop_node(0)  # the node in use dies between two polls
            return watch.poll()

        began = time.perf_counter()
        outcome = wait_for_jobs(poll, 60, 0.2, 0.2)
        wall = time.perf_counter() - began
        if outcome.timed_out or outcome.jobs[0]["state"] != "succeeded" or (nodes > 1 and len(skipped) != 1):
            raise RuntimeError("the %s wait did not end with the job succeeded and one node named: %s" % (kind, skipped))
        return {"kind": kind, "requests": sim.stats().get("requests", 0), "wall": wall, "polls": outcome.polls}


def fleet_cost(bench: Bench, history: int, targets: int, undecided: int = 2) -> Samples:
    """10: ``sync_status`` over every cloud and scope that lists its targets (in-process over HTTPS) against one
    scope's full listing of the same history (``aws_sync_job_info``'s reading).

    Each scope holds ``history`` finished jobs older than the window and, on top, one success a target for all but
    ``undecided`` of its ``targets`` (those last succeeded below the history: looked up by the target filter, in
    batches). Wall and CPU (this process: the client's and the simulator's) are measured, and the requests against
    the bound the design promises: the target listings, and a scope's pages back to the window's start, its two
    running listings (one a spelling) and a request a batch of undecided targets (a cloud without a target filter:
    one listing of completed jobs).
    """
    _use_collection()
    import datetime as _datetime

    from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet import status as _status
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs import lookup as _lookup
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import listed_target
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery, find_jobs

    sim = bench.sim
    sim.reset()
    now = time.time()
    listed: Dict[str, List[Dict[str, Any]]] = {}
    undecided = min(undecided, targets)
    page = min(_status.MAX_JOB_PAGE, max(_status.JOB_PAGE, targets))
    bound = 0
    # the scopes whose targets CM lists (the others take theirs from their jobs: another measure)
    scopes = [(cloud, scope) for cloud in CLOUDS.values() for scope in cloud.scopes if cloud.scope(scope).targets]
    for cloud, scope in scopes:
        path = cloud.scope(scope).targets  # azure's and sfdc's scopes share one listing
        names = ["%s-%s-%04d" % (cloud.name, path.rsplit("/", 1)[-1], index) for index in range(targets)]
        if path not in listed:
            listed[path] = [sim.add_target(cloud.name, name, scope=scope) for name in names]
        key = cloud.job_target_keys[0]
        specs = [
            dict(filter_values=[name], created=now - 30 * 86400 - i, target_key=key) for i, name in enumerate(names[:undecided])
        ]
        specs += [dict(filter_values=["old-history"], created=now - 10 * 86400 - i, target_key=key) for i in range(history)]
        specs += [dict(filter_values=[name], created=now - 60 - i, target_key=key) for i, name in enumerate(names[undecided:])]
        sim.add_many(cloud.name, scope, specs)
        lookups = 0
        if undecided and cloud.filter_option:
            left = [listed_target(cloud, resource) for resource in listed[path][:undecided]]
            lookups = len(_lookup.batches(left, cloud.filter_option))
        elif undecided:
            lookups = 1
        bound += (targets - undecided) // page + 1 + 2 + lookups
    client = _collection_client(sim)
    client.authenticate()
    gc.collect()
    gc.freeze()  # the seeded history is CM's memory, not the client's: keep Python's collector off it
    before = _api_requests(sim)
    cpu, began = time.process_time(), time.perf_counter()
    status = _status.fleet_status(client, _status.FleetQuery(scopes, 86400), now=_datetime.datetime.fromtimestamp(now, UTC))
    fleet_wall, fleet_cpu = time.perf_counter() - began, time.process_time() - cpu
    fleet_requests = _api_requests(sim) - before
    listing_requests = sim.stats().get("list_targets", 0)
    bound += listing_requests  # pages of the target listings (flat in history)
    before = _api_requests(sim)
    cpu, began = time.process_time(), time.perf_counter()
    jobs, _total = find_jobs(client, JobQuery(CLOUDS["aws"]))
    info_wall, info_cpu = time.perf_counter() - began, time.process_time() - cpu
    info_requests = _api_requests(sim) - before
    gc.unfreeze()
    if len(jobs) != history + targets or len(status["targets"]) != len(scopes) * targets:
        raise RuntimeError("the fleet read %d targets, the listing %d jobs" % (len(status["targets"]), len(jobs)))
    filtered = len([1 for cloud, _scope in scopes if cloud.filter_option])  # luna has no target filter: never
    expected = {"ok": (targets - undecided) * len(scopes), "stale": undecided * filtered}
    expected["never"] = undecided * (len(scopes) - filtered)
    if any(status["counts"][verdict] != count for verdict, count in expected.items()):
        raise RuntimeError("wrong verdicts: %s, expected %s" % (status["counts"], expected))
    sim.reset()
    return {
        "fleet": [
            {
                "scopes": len(scopes),
                "clouds": len({cloud.name for cloud, _scope in scopes}),
                "history": history,
                "targets": targets,
                "undecided": undecided * len(scopes),
                "undecided_a_scope": undecided,
                "wall": fleet_wall,
                "cpu": fleet_cpu,
                "requests": fleet_requests,
                "bound": bound,
                "target_listings": listing_requests,
                "info_wall": info_wall,
                "info_cpu": info_cpu,
                "info_requests": info_requests,
                "verdicts": dict(status["counts"]),
            }
        ]
    }


def eda_latency(bench: Bench, interval: float) -> Samples:
    """8: job end -> rule fired, with the real ansible-rulebook, the example rulebook and ``interval``."""
    from tests.integration.helpers import checkpoint_running, debug_fired_at, running_rulebook, wait_for

    sim = bench.sim
    sim.reset()
    job = sim.add_job("aws", duration=3600)
    folder = bench.workdir / "rulebook"
    folder.mkdir(exist_ok=True)
    checkpoint = folder / "checkpoint.json"
    rulebook_vars = {"cckm_clouds": "aws", "cckm_interval": interval, "cckm_checkpoint": str(checkpoint)}
    with running_rulebook(folder, bench.env(), rulebook_vars) as log:
        if not wait_for(lambda: job.id in checkpoint_running(checkpoint, "aws/keys"), 120):
            raise RuntimeError("the rulebook's source never saw the job: %s" % log.read_text()[-3000:])
        time.sleep(interval * 0.37)  # end the job somewhere inside an interval, not just after a poll
        ended = time.time()
        job.duration = ended - job.created
        wait_for(lambda: debug_fired_at(log.read_text(), job.id) is not None, interval + 30)
    fired = debug_fired_at(log.read_text(), job.id)
    if fired is None:
        raise RuntimeError("the rule never fired: %s" % log.read_text()[-3000:])
    return {"latency": [{"latency": fired - ended, "interval": interval}]}


def _gets(sim: Simulator) -> List[float]:
    return [r["time"] for r in sim.requests_seen() if r["method"] == "GET"]


def idle_floor_and_uri_rate(bench: Bench, repeat: int, task_seconds: float, uri_delay: float) -> Samples:
    """Ansible's floor for a task that lasts ``task_seconds`` (a wait_for that only sleeps), and, in the
    background meanwhile, a uri + until loop with ``delay: uri_delay`` whose request rate (5's baseline)
    is read from the gaps between its requests. Both are idle most of the time; together they save
    the benchmark a few minutes.
    """
    bench.sim.reset()
    job = bench.sim.add_job("aws", duration=3600)  # the loop is stopped below, not by the job
    text = URI_PLAYBOOK % {"interval": "%g" % uri_delay, "path": AWS_JOBS_PATH, "login": URI_LOGIN}
    path = bench.workdir / "uri-load.yml"
    path.write_text(text)
    argv = [os.path.join(BIN, "ansible-playbook"), "-i", bench.inventory(1), str(path), "-e", "job_id=" + job.id]
    with open(bench.workdir / "uri-load.log", "w") as log:
        loop = subprocess.Popen(
            argv, env=bench.env(), cwd=str(bench.workdir), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    samples: Samples = {"idle_floor": [], "uri": []}
    try:
        for _repetition in range(repeat):
            measured, _records = bench.playbook(IDLE_PLAYBOOK % {"seconds": task_seconds})
            samples["idle_floor"].append(_cost(measured))
        deadline = time.monotonic() + 20 * uri_delay  # enough gaps for a median, however fast the floors ran
        while len(_gets(bench.sim)) < max(3, repeat + 1) and time.monotonic() < deadline and loop.poll() is None:
            time.sleep(0.2)
    finally:
        os.killpg(loop.pid, signal.SIGKILL)
        loop.wait(timeout=30)
    polls = _gets(bench.sim)
    if len(polls) < 3:
        raise RuntimeError("the background uri loop made %d requests; see %s" % (len(polls), bench.workdir / "uri-load.log"))
    samples["uri"] = [{"gap": later - earlier} for earlier, later in zip(polls, polls[1:])]
    return samples
