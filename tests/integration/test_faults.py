"""The fault matrix: every fault the simulator can inject, during an info call and during a wait.

Each scenario runs the module against the simulator over HTTPS and asserts the outcome (recovered
with the right result, or one clear failure) and that the requests CM saw stay within a budget:
retries are capped and back off, there is no retry storm. A sample of the scenarios runs through a
real ansible-playbook (THROUGH_ANSIBLE); the others run the module's main() in this process, the
same client, retries, pauses and messages without ansible-playbook's second of CPU per run.
docs/reliability.md lists the same scenarios; a test below keeps the two in step.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Dict, List, Optional

import pytest

from tests.integration.helpers import ROOT, playbook, task
from tests.modules.conftest import ModuleRunner

INFO_JOBS = 25  # three pages of the 10 jobs the simulator serves per page in these tests
WAIT_JOBS = 2


class Fault:
    """One row of the matrix: what goes wrong, and what the user gets."""

    def __init__(
        self,
        name: str,
        inject: Optional[Dict[str, Any]] = None,
        fails_with: Optional[str] = None,
        wait_fails_with: Optional[str] = None,
        extra: int = 0,
        credentials: str = "password",
        moves: Optional[str] = None,
        logins: int = 1,
    ) -> None:
        self.name = name
        self.inject = inject
        self.fails_with = fails_with  # None: the info call recovers with the right jobs
        self.wait_fails_with = wait_fails_with  # None: the wait recovers and reports every job succeeded
        self.extra = extra  # requests the fault may add to a clean run
        self.credentials = credentials
        self.moves = moves  # "shrinks" or "grows": the list changes between two pages
        self.logins = logins  # password logins the module may make (2 only when a refresh token is revoked)


FOREVER = 1000
FAULTS: List[Fault] = [
    Fault("HTTP 500 burst", {"kind": "status", "status": 500, "count": 3}, extra=3),
    Fault("HTTP 502 burst", {"kind": "status", "status": 502, "count": 3}, extra=3),
    Fault("HTTP 503 burst", {"kind": "status", "status": 503, "count": 3}, extra=3),
    Fault("HTTP 504 burst", {"kind": "status", "status": 504, "count": 3}, extra=3),
    Fault(
        "HTTP 503 that does not end",
        {"kind": "status", "status": 503, "count": FOREVER},
        fails_with="HTTP 503 Service Unavailable: NCERRServiceUnavailable (code 14): Simulated failure 503",
        wait_fails_with="Last error: CipherTrust Manager answered GET",
        extra=12,  # two pages (or two jobs) retried at once, 6 attempts each
    ),
    Fault("HTTP 429 with Retry-After", {"kind": "status", "status": 429, "count": 1, "retry_after": "2"}, extra=1),
    Fault("HTTP 429 without Retry-After", {"kind": "status", "status": 429, "count": 2}, extra=2),
    Fault("connection reset", {"kind": "reset", "count": 2}, extra=2),
    Fault("connection refused for 10 s (CM restart)", {"kind": "outage", "downtime": 10}, extra=2),
    Fault("answer slower than request_timeout", {"kind": "slow", "delay": 4, "count": 1}, extra=1),
    Fault("invalid JSON", {"kind": "invalid_json", "count": 2}, extra=2),
    Fault(
        "invalid JSON that does not end",
        {"kind": "invalid_json", "count": FOREVER},
        fails_with="but the body is not JSON",
        wait_fails_with="but the body is not JSON",
        extra=12,
    ),
    Fault("HTML error page", {"kind": "html", "status": 502, "count": 2}, extra=2),
    Fault("200 without resources", {"kind": "no_resources", "count": 1}, extra=1),
    Fault("JWT expires mid-call", {"kind": "expire_tokens", "count": 1}, extra=3),
    Fault("refresh token revoked, password given", {"kind": "revoke_tokens", "count": 1}, extra=4, logins=2),
    Fault(
        "refresh token revoked, no password",
        {"kind": "revoke_tokens", "count": 1},
        fails_with="CipherTrust Manager refused the refresh token (HTTP 401",
        wait_fails_with="CipherTrust Manager refused the refresh token (HTTP 401",
        extra=3,
        credentials="refresh_token",
        logins=0,
    ),
    Fault("total shrinks between pages", moves="shrinks", extra=3),
    Fault("total grows between pages", moves="grows", extra=3),
]

INFO_ARGS = {"request_timeout": 2}

# Through ansible-playbook, as a user meets them: a recovery and a clear failure of each phase, and the
# list changing between pages. Every other scenario runs in-process.
THROUGH_ANSIBLE = {
    "info": {"connection refused for 10 s (CM restart)", "HTTP 503 that does not end", "total grows between pages"},
    "wait": {"JWT expires mid-call", "invalid JSON that does not end", "total shrinks between pages"},
}

# Short intervals and request timeout, so that every fault shows within a few seconds.
WAIT_TIMING = dict(poll_interval=0.5, max_poll_interval=1, request_timeout=2)


class Ran:
    """What one module run gave: its exit code as ansible-playbook's, its result and its output."""

    def __init__(self, rc: int, result: Dict[str, Any], output: str) -> None:
        self.rc = rc
        self.output = output
        self._result = result

    def result(self, _task: str) -> Dict[str, Any]:
        return self._result


def run_module(sim, ansible, monkeypatch, phase: str, fault: Fault, module: str, args: Dict[str, Any], env) -> Ran:
    """``module`` with ``args`` through ansible-playbook for the sample, in-process for the rest."""
    if fault.name in THROUGH_ANSIBLE[phase]:
        run = ansible.playbook(playbook(task(phase, "ciphertrust.cckm." + module, args)), **env)
        return Ran(run.rc, run.result(phase), run.output)
    monkeypatch.chdir(ansible.tmp)
    runner = ModuleRunner(sim, monkeypatch)
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value)
    result = runner(module, args)
    return Ran(2 if result["failed"] else 0, result, json.dumps(result))


def test_the_sample_through_ansible_names_scenarios_of_the_matrix():
    names = {fault.name for fault in FAULTS}
    assert all(sample <= names for sample in THROUGH_ANSIBLE.values()), THROUGH_ANSIBLE


def credentials_env(sim, fault: Fault) -> Dict[str, Optional[str]]:
    if fault.credentials == "password":
        return {}
    refresh = sim.issue_tokens(sim.username, with_refresh=True)["refresh_token"]
    return {"CM_REFRESH_TOKEN": refresh, "CM_PASSWORD": None, "CM_USERNAME": None}


def move_list_once(sim, how: str, victim: Optional[str] = None) -> List[str]:
    """Change the list once, just before its second page is served; returns ids of added jobs."""
    added: List[str] = []
    done: List[int] = []

    def hook(path: str, skip: int) -> None:
        if skip > 0 and not done:
            done.append(skip)
            if how == "shrinks":
                sim.store.remove(victim)
            else:
                added.append(sim.add_job("aws", filter_values=["kms-a"]).id)

    sim.page_hook = hook
    return added


def report(fault: Fault, phase: str, outcome: str, stats: Dict[str, Any]) -> None:
    """One line per scenario for `make test-faults` (CCKM_FAULT_REPORT names the file)."""
    path = os.environ.get("CCKM_FAULT_REPORT")
    if path:
        with open(path, "a") as handle:
            line = {"fault": fault.name, "phase": phase, "outcome": outcome, "requests": stats.get("requests", 0)}
            handle.write(json.dumps(line) + "\n")


def assert_clean_failure(run, task: str, text: str) -> str:
    assert run.rc == 2, run.output
    message = run.result(task)["msg"]
    assert text in message, message
    # short enough to read: the failure, the last error and (a timeout) how to cancel or wait again
    assert "Traceback" not in run.output and len(message) < 1300
    return message


def assert_no_secret(sim, run) -> None:
    for secret in sim.secrets_issued():
        assert secret not in run.output


def assert_fault_happened(sim, fault: Fault) -> None:
    if fault.inject:
        assert sim.stats().get("fault_" + fault.inject["kind"], 0) >= 1, "the fault was never injected"


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_info_call_under_fault(sim, ansible, monkeypatch, fault):
    sim.max_limit = 10
    now = time.time()
    made = [sim.add_job("aws", filter_values=["kms-a"], created=now - 100 - i).id for i in range(INFO_JOBS)]
    env = credentials_env(sim, fault)
    added: List[str] = []
    if fault.inject:
        sim.inject(match="list", after=1, **fault.inject)  # the first page is served, then the fault
    if fault.moves:
        added = move_list_once(sim, fault.moves, victim=made[0])
    run = run_module(sim, ansible, monkeypatch, "info", fault, "aws_sync_job_info", INFO_ARGS, env)
    stats = sim.stats()
    assert_fault_happened(sim, fault)
    assert_no_secret(sim, run)
    if fault.fails_with:
        assert_clean_failure(run, "info", fault.fails_with)
        outcome = "clear failure"
    else:
        assert run.rc == 0, run.output
        result = run.result("info")
        expected = added + (made[1:] if fault.moves == "shrinks" else made)
        ids = [job["id"] for job in result["sync_jobs"]]
        assert ids == expected, "every job once, newest first"
        assert result["total"] == len(expected) and result["summary"]["succeeded"] == len(expected)
        outcome = "recovered"
    pages = 3 * (2 if fault.moves else 1)
    assert stats["requests"] <= 1 + pages + fault.extra, stats
    assert stats.get("logins", 0) <= fault.logins, stats
    report(fault, "info", outcome, stats)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_wait_under_fault(sim, ansible, monkeypatch, fault):
    env = credentials_env(sim, fault)
    if fault.moves:
        # 25 jobs, three pages; the two running ones sit either side of the first page boundary.
        sim.max_limit = 10
        now = time.time()
        running = {9, 10}
        made = [
            sim.add_job(
                "aws",
                filter_values=["kms-a"],
                created=now - 100 - i,
                duration=3 if i in running else 0,
                starts_when_seen=i in running,
            ).id
            for i in range(INFO_JOBS)
        ]
        move_list_once(sim, fault.moves, victim=made[0])
        # the whole scope: every running job is waited for (by targets, only kms-a's newest job would decide)
        args = dict(cloud="aws", **WAIT_TIMING)
        run = run_module(sim, ansible, monkeypatch, "wait", fault, "sync_job_wait", args, env)
        watched = sorted(made[i] for i in running)
        per_poll = 3
    else:
        watched = sorted(sim.add_job("aws", polls=3).id for _job in range(WAIT_JOBS))  # ends at its fourth read
        sim.inject(match="get", after=WAIT_JOBS, **fault.inject)  # the first poll goes through, then the fault
        timeout = 8 if fault.wait_fails_with else 120
        args = dict(cloud="aws", id=watched, timeout=timeout, **WAIT_TIMING)
        run = run_module(sim, ansible, monkeypatch, "wait", fault, "sync_job_wait", args, env)
        per_poll = WAIT_JOBS
    stats = sim.stats()
    assert_fault_happened(sim, fault)
    assert_no_secret(sim, run)
    result = run.result("wait")
    if fault.wait_fails_with:
        assert_clean_failure(run, "wait", fault.wait_fails_with)
        outcome = "clear failure"
    else:
        assert run.rc == 0, run.output
        finished = [job for job in result["sync_jobs"] if job["id"] in watched]
        assert sorted(job["id"] for job in finished) == watched, "every watched job, once"
        assert all(job["state"] == "succeeded" for job in finished)
        outcome = "recovered"
    polls = result.get("polls", 1)
    assert stats["requests"] <= 1 + per_poll * polls + fault.extra + (3 if fault.moves else 0), (stats, polls)
    assert stats.get("logins", 0) <= fault.logins, stats
    report(fault, "wait", outcome, stats)


def test_reliability_page_lists_every_fault_of_the_matrix():
    with open(os.path.join(ROOT, "docs", "reliability.md")) as handle:
        page = handle.read()
    missing = [fault.name for fault in FAULTS if "| %s |" % fault.name not in page]
    assert not missing, "docs/reliability.md does not list: %s" % missing
