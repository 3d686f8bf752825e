"""A wait that times out, in-process: the message says the jobs keep running on CM and how to stop or wait for them.

A wait's timeout ends the task, not the jobs. ``timeout: 0`` checks once, so these tests never sleep.
"""

from __future__ import annotations

import time


def test_sync_job_wait_timing_out_says_the_jobs_keep_running_and_how_to_cancel(sim, run_module):
    running = sim.add_job("aws", duration=600)
    job = running.id
    result = run_module("sync_job_wait", {"cloud": "aws", "id": [job], "timeout": 0})
    assert result["failed"] is True and result["timed_out"] is True, result
    message = result["msg"]
    assert message.startswith("Timed out after 0 s and 1 poll waiting for aws keys synchronization: still running: ")
    assert "%s (in_progress)" % job in message, message
    assert "does not cancel" in message and "keeps running on CipherTrust Manager" in message, message
    assert "ciphertrust.cckm.sync_job cloud=aws scope=keys state=cancelled id=%s" % job in message, message
    assert "wait again" in message, message
    assert "this task" not in message, "sync_job_wait starts nothing: it says nothing of who started the job"
    assert not running.finished(time.time()), "the job runs on"


def test_sync_job_timing_out_says_it_started_the_job_and_that_it_keeps_running(sim, run_module):
    sim.starting.duration = 600
    result = run_module("sync_job", {"cloud": "aws", "kms": ["kms-prod"], "wait": True, "timeout": 0})
    assert result["failed"] is True and result["timed_out"] is True and result["reused"] is False, result
    (job,) = [job["id"] for job in result["sync_jobs"]]
    message = result["msg"]
    assert message.startswith("Timed out after 0 s and 1 poll waiting for aws keys synchronization"), message
    assert "This task started job %s." % job in message, message
    assert "keeps running on CipherTrust Manager" in message, message
    assert "state=cancelled id=%s" % job in message, message


def test_sync_job_timing_out_says_it_reused_a_running_job(sim, run_module):
    running = sim.add_job("aws", filter_values=["kms-prod"], duration=600).id
    result = run_module("sync_job", {"cloud": "aws", "kms": ["kms-prod"], "wait": True, "timeout": 0})
    assert result["failed"] is True and result["timed_out"] is True and result["reused"] is True, result
    message = result["msg"]
    assert "still running: %s (in_progress)" % running in message, message
    assert "This task started no job: it reused job %s, already running and covering the targets" % running in message
    assert "keeps running on CipherTrust Manager" in message and "state=cancelled id=%s" % running in message, message
    assert sim.start_bodies == []
