"""``sync_job_wait schedule=...`` in-process: the next run of a schedule waited for until it starts and ends, and
every way it cannot be waited for refused before any wait (``timeout: 0`` or a run already started: no sleep)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.cron import parse_cron

UTC = datetime.timezone.utc


def due_after(sim, run_at: str) -> datetime.datetime:
    return parse_cron("run_at", run_at).next_after(datetime.datetime.now(UTC))


def test_the_run_started_at_its_due_time_is_the_job_waited_for(sim, run_module):
    sim.scheduler.add_config("nightly-aws", "aws", {"kms": ["kms-prod"], "synchronize_all": False}, run_at="* * * * *")
    due = due_after(sim, "* * * * *")
    before = sim.add_job("aws", filter_values=["kms-prod"], created=due.timestamp() - 5, outcome="failed")
    other = sim.add_job("aws", filter_values=["kms-dr"], created=due.timestamp() + 1)  # does not cover kms-prod
    run = sim.add_job("aws", filter_values=["kms-prod"], created=due.timestamp() + 2)
    later = sim.add_job("aws", filter_values=["kms-prod"], created=due.timestamp() + 30, outcome="failed")
    sim.advance(due.timestamp() + 60 - sim.clock())  # CM's clock past the run (the module's own clock is not)
    result = run_module("sync_job_wait", {"cloud": "aws", "schedule": "nightly-aws", "timeout": 0})
    assert result["failed"] is False, result
    assert [job["id"] for job in result["sync_jobs"]] == [run.id], (before.id, other.id, later.id)
    assert result["run_due_at"] == due.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_run_that_does_not_start_in_time_says_what_was_looked_for(sim, run_module):
    sim.scheduler.add_config("nightly-aws", "aws", {"kms": ["kms-prod"], "synchronize_all": False}, run_at="0 2 * * *")
    sim.add_job("aws", filter_values=["kms-prod"])  # before the due time: not the run
    result = run_module("sync_job_wait", {"cloud": "aws", "schedule": "nightly-aws", "timeout": 0})
    assert result["failed"] is True and result["timed_out"] is True and result["sync_jobs"] == [], result
    message = result["msg"]
    assert message.startswith("Timed out after 0 s and 1 poll waiting for schedule 'nightly-aws''s run due at "), message
    assert "T02:00:00Z (UTC) to start" in message and "sync_schedule_info name=nightly-aws" in message, message


def test_a_run_that_failed_fails_the_wait(sim, run_module):
    sim.scheduler.add_config("every-vault", "AzureCloud", {"synchronize_all": True}, run_at="* * * * *")
    due = due_after(sim, "* * * * *")
    sim.add_job("azure", filter_values=["kv-1"], created=due.timestamp() + 1)  # one vault: not what the run does
    run = sim.add_job("azure", filter_values=[], created=due.timestamp() + 2, outcome="failed", fields={"synchronize_all": True})
    sim.advance(due.timestamp() + 60 - sim.clock())
    result = run_module("sync_job_wait", {"cloud": "azure", "schedule": "every-vault", "timeout": 0})
    assert result["failed"] is True and result["timed_out"] is False, result
    assert result["msg"].startswith("Synchronization ended badly: job %s is failed" % run.id), result["msg"]


JOB = "0ea5d52e-387c-44fa-b079-21c8b768f77b"
AWS = {"cloud": "aws"}


@pytest.mark.parametrize(
    "args, config, expected",
    [
        (dict(AWS, schedule="nope"), None, "schedule: no synchronization schedule is named 'nope' on CipherTrust"),
        (
            dict(AWS, schedule="vaults"),
            ("vaults", "AzureCloud", {}),
            "schedule: 'vaults' synchronizes azure, not aws; give cloud=azure.",
        ),
        (
            dict(AWS, schedule="alibaba"),
            ("alibaba", "AlibabaCloud", {}),
            "schedule: 'alibaba' synchronizes cloud_name 'AlibabaCloud', which is none of this collection's clouds (aws, ",
        ),
        (dict(AWS, schedule="off"), ("off", "aws", {"disabled": True}), "schedule: 'off' does not run again (it is disabled)"),
        (dict(AWS, schedule="x", id=[JOB]), None, "schedule: cannot be given with id"),
        (dict(AWS, schedule="x", kms=["kms-prod"]), None, "schedule: cannot be given with kms"),
        (dict(AWS, schedule="x", scope="custom_key_stores"), None, "scope: a scheduled run synchronizes aws keys"),
        (dict(AWS, schedule=" "), None, "schedule: is empty"),
    ],
    ids=["missing", "other cloud", "unknown cloud", "disabled", "with id", "with targets", "other scope", "empty"],
)
def test_a_schedule_that_cannot_be_waited_for_is_refused(sim, run_module, args, config, expected):
    if config:
        name, cloud_name, settings = config
        sim.scheduler.add_config(name, cloud_name, {"synchronize_all": True}, **settings)
    result = run_module("sync_job_wait", dict(args, timeout=60))
    assert result["failed"] is True and result["msg"].startswith(expected), result["msg"]
    assert sim.stats().get("list", 0) == 0, "no job was read: refused before any wait"
