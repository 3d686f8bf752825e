"""The write modules under both answers to an unconfirmed API fact: whether CM's target filter (``kms``,
``key_vaults``, ...) also returns the jobs that synchronize everything.

A job of everything covers every target, so a start for one target reuses it; a cancel by targets
stops only the jobs that list one of them, whatever CM's filter hands back.
"""

from __future__ import annotations

import time


def test_a_cancel_by_targets_stops_only_the_jobs_that_list_them(sim, run_module, both_target_filters):
    sim.starting.cancel_settle = 0.0
    everything = sim.add_job("aws", filter_values=[], duration=600)
    listed = sim.add_job("aws", filter_values=["kms-a", "kms-b"], duration=600)
    other = sim.add_job("aws", filter_values=["kms-c"], duration=600)
    result = run_module("sync_job", {"cloud": "aws", "state": "cancelled", "kms": ["kms-a"]})
    assert not result["failed"], result
    assert [job["id"] for job in result["sync_jobs"]] == [listed.id]
    now = time.time()
    assert listed.finished(now) and not everything.finished(now) and not other.finished(now)


def test_a_start_for_one_target_reuses_a_running_job_of_everything(sim, run_module, both_target_filters):
    everything = sim.add_job("aws", filter_values=[], duration=600)
    result = run_module("sync_job", {"cloud": "aws", "kms": ["kms-a"]})
    assert not result["failed"], result
    assert result["reused"] is True and result["changed"] is False
    assert [job["id"] for job in result["sync_jobs"]] == [everything.id]
    assert sim.start_bodies == []
