"""A wait that names several targets judges each by its newest covering job: through ansible-playbook, an ad hoc
command, sync_job with wait: true, the wait_for_sync role and ansible-runner as AWX runs it."""

import time

import pytest

from tests.integration.helpers import playbook, private_data_dir, role_playbook, run_runner, runner_stats, task

HOUR = 3600.0
BOTH_FILTERS = pytest.mark.usefixtures("both_status_filters")


def seed_failed_and_newer_success(sim):
    """aws keys: kms-prod's newest job failed, kms-dr's newer job succeeded, nothing runs (the README's wait)."""
    now = time.time()
    failed = sim.add_job("aws", filter_values=["kms-prod"], outcome="failed", created=now - 3 * HOUR, duration=5)
    succeeded = sim.add_job("aws", filter_values=["kms-dr"], created=now - HOUR, duration=5)
    return failed, succeeded


def wait(name, cloud, **args):
    return task(
        name,
        "ciphertrust.cckm.sync_job_wait",
        dict(cloud=cloud, poll_interval=0.5, max_poll_interval=1, **args),
        ignore_errors=True,
    )


@BOTH_FILTERS
def test_each_named_target_is_judged_by_its_newest_covering_job(sim, ansible):
    now = time.time()
    failed, succeeded = seed_failed_and_newer_success(sim)
    # a failure older than a success of the same target
    sim.add_job("aws", "custom_key_stores", filter_values=["kms-x"], outcome="failed", created=now - 3 * HOUR)
    recovered = sim.add_job("aws", "custom_key_stores", filter_values=["kms-x"], created=now - HOUR)
    # a job of everything newer than a target's failure
    sim.add_job("azure", filter_values=["vault-a"], outcome="failed", created=now - 3 * HOUR)
    everything = sim.add_job("azure", filter_values=[], created=now - HOUR)
    # a target no job covers
    sim.add_job("azure", "certificates", filter_values=["vault-b"], created=now - HOUR)
    # one target running, one whose newest job failed: the wait waits for the first, then fails naming the second
    ring_failed = sim.add_job("google", filter_values=["ring-2"], outcome="failed", created=now - HOUR)
    ring_running = sim.add_job("google", filter_values=["ring-1"], polls=3, spelling="in progress", created=now - 60)
    # the same, but a retry of the failed target starts while the wait runs, and supersedes its failure
    sim.add_job("oci", filter_values=["vault-2"], outcome="failed", created=now - HOUR)
    sim.add_job("oci", filter_values=["vault-1"], polls=4, created=now - 60)
    retries = []

    def retry_on_the_second_poll(path, _skip):
        oci = [entry for entry in sim.requests_seen() if entry["path"] == path == "/api/v1/cckm/oci/synchronization-jobs"]
        if len(oci) >= 4 and not retries:  # the first poll's newest page and its two running listings are done
            retries.append(sim.add_job("oci", filter_values=["vault-2"], created=sim.clock()))

    sim.page_hook = retry_on_the_second_poll
    run = ansible.playbook(
        playbook(
            wait("newest failed", "aws", kms=["kms-prod", "kms-dr"]),
            wait("failed before a success", "aws", scope="custom_key_stores", kms=["kms-x"]),
            wait("everything after a failure", "azure", key_vaults=["vault-a"]),
            wait("no job", "azure", scope="certificates", key_vaults=["vault-b", "vault-none"]),
            wait("one running", "google", key_rings=["ring-1", "ring-2"]),
            wait("retried meanwhile", "oci", vaults=["vault-1", "vault-2"]),
        )
    )
    assert run.rc == 0, run.output  # every failure was ignored, and is asserted below

    result = run.result("newest failed")
    assert run.status("newest failed") == "failed" and result["polls"] == 1
    assert result["msg"].startswith(
        "No aws keys synchronization job covering kms=kms-prod,kms-dr was running, so nothing was waited for; 1 of 2 "
        "targets' newest jobs ended badly: kms-prod: its newest covering job, %s, ended failed at " % failed.id
    ), result["msg"]
    assert result["msg"].endswith("Succeeded: kms-dr (job %s)." % succeeded.id)
    assert [(t["target"], t["state"], t["job_id"]) for t in result["targets"]] == [
        ("kms-prod", "failed", failed.id),
        ("kms-dr", "succeeded", succeeded.id),
    ]
    assert {job["id"] for job in result["sync_jobs"]} == {failed.id, succeeded.id}

    result = run.result("failed before a success")
    assert run.status("failed before a success") == "ok" and [(t["state"], t["job_id"]) for t in result["targets"]] == [
        ("succeeded", recovered.id)
    ]

    result = run.result("everything after a failure")
    assert run.status("everything after a failure") == "ok" and result["targets"][0]["job_id"] == everything.id, result

    result = run.result("no job")
    assert run.status("no job") == "ok"
    assert [(t["target"], t["state"]) for t in result["targets"]] == [("vault-b", "succeeded"), ("vault-none", None)]
    assert "No azure certificates synchronization job covers key_vaults=vault-none" in run.flat_output

    result = run.result("one running")
    assert run.status("one running") == "failed" and result["polls"] >= 2, result
    assert result["msg"].startswith(
        "Synchronization ended badly for 1 of 2 targets: ring-2: its newest covering job, %s" % ring_failed.id
    )
    assert "Succeeded: ring-1 (job %s)" % ring_running.id in result["msg"]

    result = run.result("retried meanwhile")
    assert run.status("retried meanwhile") == "ok", result
    assert retries and [(t["target"], t["state"]) for t in result["targets"]] == [
        ("vault-1", "succeeded"),
        ("vault-2", "succeeded"),
    ]
    assert result["targets"][1]["job_id"] == retries[0].id


def test_the_readmes_ad_hoc_wait_fails_naming_the_failed_target(sim, ansible):
    failed, succeeded = seed_failed_and_newer_success(sim)
    run = ansible.adhoc("ciphertrust.cckm.sync_job_wait", "cloud=aws kms=kms-prod,kms-dr")
    assert run.rc == 2, run.output
    assert "kms-prod: its newest covering job, %s, ended failed" % failed.id in run.flat_output
    assert "Succeeded: kms-dr (job %s)" % succeeded.id in run.flat_output


def test_sync_job_with_wait_judges_each_target_of_the_job_it_started(sim, ansible):
    sim.starting.polls = 1
    sim.starting.outcome = "partial"  # CM reports an error for the first target only
    start = dict(cloud="aws", kms=["kms-a", "kms-b"], wait=True, poll_interval=0.5, max_poll_interval=1)
    run = ansible.playbook(
        playbook(
            task("partial passes", "ciphertrust.cckm.sync_job", start),
            task("partial fails", "ciphertrust.cckm.sync_job", dict(start, fail_on=["partial"]), ignore_errors=True),
        )
    )
    assert run.rc == 0, run.output
    passed = run.result("partial passes")
    assert passed["changed"] is True and run.status("partial passes") == "ok"
    assert [(t["target"], t["state"]) for t in passed["targets"]] == [("kms-a", "partial"), ("kms-b", "succeeded")]
    failed = run.result("partial fails")
    job = failed["sync_jobs"][0]["id"]
    assert run.status("partial fails") == "failed" and failed["msg"].startswith(
        "Synchronization ended badly for 1 of 2 targets: kms-a: its newest covering job, %s, ended partial" % job
    ), failed["msg"]
    assert "kms-a: Error listing keys" in failed["msg"] and failed["msg"].endswith("Succeeded: kms-b (job %s)." % job)
    assert len(sim.start_bodies) == 2


def test_the_role_names_the_failed_target_and_returns_each_target(sim, ansible):
    failed, _succeeded = seed_failed_and_newer_success(sim)
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="aws", wait_for_sync_filters="kms=kms-prod,kms-dr"))
    assert run.rc == 2
    result = run.result("ciphertrust.cckm.wait_for_sync : Set wait_for_sync_result")["ansible_facts"]["wait_for_sync_result"]
    assert result["failed"] is True and "kms-prod: its newest covering job, %s, ended failed" % failed.id in result["msg"]
    assert [(t["target"], t["state"]) for t in result["targets"]] == [("kms-prod", "failed"), ("kms-dr", "succeeded")]
    assert "targets: kms-prod failed, kms-dr succeeded" in run.stdout.replace("\n", " ")


@pytest.mark.tools
def test_awx_survey_answers_wait_per_target_and_publish_each_target(sim, tmp_path):
    failed, _succeeded = seed_failed_and_newer_success(sim)
    answers = {"wait_for_sync_cloud": "aws", "wait_for_sync_filters": "kms=kms-prod,kms-dr", "wait_for_sync_timeout": "60"}
    pdd = private_data_dir(tmp_path, sim, answers)
    proc = run_runner(pdd, "targets")
    assert proc.returncode != 0
    result = runner_stats(pdd, "targets")["wait_for_sync_result"]
    assert result["failed"] is True and "kms-prod: its newest covering job, %s" % failed.id in result["msg"]
    assert [(t["target"], t["state"]) for t in result["targets"]] == [("kms-prod", "failed"), ("kms-dr", "succeeded")]
