"""sync_job_wait through ansible-playbook against the simulator: every way a wait can end."""

import time

import pytest

from tests.integration.helpers import wait_playbook

# A wait by id never lists, so only the waits by filter run against both kinds of status filter.
BOTH_FILTERS = pytest.mark.usefixtures("both_status_filters")


def test_waits_by_id_until_every_job_succeeds(sim, ansible):
    a = sim.add_job("aws", polls=2).id
    b = sim.add_job("aws", polls=3, spelling="in progress").id
    run = ansible.playbook(wait_playbook(cloud="aws", id=[a, b], poll_interval=0.5, max_poll_interval=1))
    assert run.rc == 0, run.output
    result = run.result("wait")
    assert result["summary"]["succeeded"] == 2 and not result["timed_out"] and result["changed"] is False
    assert result["elapsed"] <= 10 and result["polls"] >= 2
    assert result["sync_jobs"][0]["id"] in (a, b) and {j["id"] for j in result["sync_jobs"]} == {a, b}
    stats = sim.stats()
    assert stats["logins"] == 1 and stats.get("list", 0) == 0
    assert stats["get"] <= 2 * result["polls"], "at most one request per job per poll"


def test_failed_job_fails_naming_job_state_and_errors(sim, ansible):
    job = sim.add_job("google", duration=1, outcome="failed").id
    run = ansible.playbook(wait_playbook(cloud="google", id=[job], poll_interval=0.5))
    assert run.rc == 2
    result = run.result("wait")
    assert job in result["msg"] and "is failed" in result["msg"] and "connection to the cloud failed" in result["msg"]
    assert result["sync_jobs"][0]["state"] == "failed" and result["timed_out"] is False


def test_cancelled_job_fails_by_default(sim, ansible):
    job = sim.add_job("azure", "secrets", polls=2, outcome="aborted")  # someone cancels it in CM's console mid-wait
    run = ansible.playbook(wait_playbook(cloud="azure", scope="secrets", id=[job.id], poll_interval=0.5, max_poll_interval=1))
    assert run.rc == 2
    result = run.result("wait")
    assert "is cancelled" in result["msg"] and result["sync_jobs"][0]["abort"] is True and result["elapsed"] < 10


def test_partial_job_passes_by_default_and_fails_when_asked(sim, ansible):
    job = sim.add_job("sfdc", duration=1, outcome="partial", targets=["00DB000000040bIMAQ", "00DB0000000ok"]).id
    run = ansible.playbook(wait_playbook(cloud="sfdc", id=[job], poll_interval=0.5))
    assert run.rc == 0, run.output
    assert run.result("wait")["summary"]["partial"] == 1
    run = ansible.playbook(wait_playbook(cloud="sfdc", id=[job], fail_on=["partial"]))
    assert run.rc == 2
    assert "00DB000000040bIMAQ: Error listing keys" in run.result("wait")["msg"]


def test_timeout_reports_last_state_elapsed_and_polls(sim, ansible):
    job = sim.add_job("oci", duration=600).id
    run = ansible.playbook(wait_playbook(cloud="oci", id=[job], timeout=3, poll_interval=1, max_poll_interval=1))
    assert run.rc == 2
    result = run.result("wait")
    assert result["timed_out"] is True and 3 <= result["elapsed"] < 5 and result["polls"] >= 3
    assert result["sync_jobs"][0]["state"] == "in_progress"
    assert "Timed out after 3 s" in result["msg"] and job in result["msg"]
    assert "does not cancel a job: job %s keeps running on CipherTrust Manager" % job in result["msg"], result["msg"]
    assert "ciphertrust.cckm.sync_job cloud=oci scope=keys state=cancelled id=%s" % job in result["msg"]


def test_token_expiring_mid_wait_is_renewed_unnoticed(sim, ansible):
    sim.jwt_lifetime = 2
    # It runs from the wait's first poll, so the wait itself spans several token lifetimes.
    job = sim.add_job("sap", duration=3.5 * sim.jwt_lifetime, starts_when_seen=True).id
    run = ansible.playbook(wait_playbook(cloud="sap", id=[job], poll_interval=0.5, max_poll_interval=0.5))
    assert run.rc == 0, run.output
    assert run.result("wait")["elapsed"] >= 3 * sim.jwt_lifetime, "the wait outlived several tokens"
    stats = sim.stats()
    assert stats["logins"] == 1 and stats["refreshes"] >= 2


def test_server_errors_mid_wait_do_not_end_it_and_are_reported_on_timeout(sim, ansible):
    job = sim.add_job("aws", polls=3).id
    sim.inject("status", status=503, count=3, match="get")
    sim.inject("reset", count=1, match="get")
    run = ansible.playbook(wait_playbook(cloud="aws", id=[job], poll_interval=0.5, max_poll_interval=1))
    assert run.rc == 0, run.output
    assert run.result("wait")["summary"]["succeeded"] == 1
    sim.reset()
    job = sim.add_job("aws", duration=600).id
    sim.inject("status", status=502, count=1000, match="get")
    run = ansible.playbook(wait_playbook(cloud="aws", id=[job], timeout=3, poll_interval=1, max_poll_interval=1))
    assert run.rc == 2
    result = run.result("wait")
    assert result["timed_out"] and "HTTP 502" in result["last_error"] and "Last error" in result["msg"]


def test_unknown_id_fails_at_once(sim, ansible):
    real = sim.add_job("aws", duration=600).id
    run = ansible.playbook(wait_playbook(cloud="aws", id=[real, "4f1d1b1b-0000-0000-0000-000000000000"], timeout=600))
    assert run.rc == 2
    result = run.result("wait")
    assert "No aws synchronization job with id 4f1d1b1b-0000-0000-0000-000000000000" in result["msg"]
    assert sim.stats()["get"] == 2


@BOTH_FILTERS
def test_20_targets_with_200_running_jobs_cost_one_listing_per_poll_after_the_first(sim, ansible):
    # Each vault's newest job decides for it; the older ones running beside it are not waited for.
    now = time.time()
    vaults = ["vault-%02d" % index for index in range(20)]
    for index in range(200):
        sim.add_job("azure", filter_values=[vaults[index % 20]], polls=3 + index % 3, created=now - index * 0.01)
    for index in range(50):
        sim.add_job("azure", filter_values=["vault-other"], duration=600, created=now - 100 - index)
    run = ansible.playbook(wait_playbook(cloud="azure", key_vaults=vaults, poll_interval=1, max_poll_interval=1))
    assert run.rc == 0, run.output
    result = run.result("wait")
    assert result["summary"]["succeeded"] == 20 and len(result["sync_jobs"]) == 20
    assert [t["target"] for t in result["targets"]] == vaults and {t["state"] for t in result["targets"]} == {"succeeded"}
    stats = sim.stats()
    # the first poll: the newest page and one listing per status spelling (a lenient filter shows itself only
    # by answering the other spelling, and here every job has one); then one listing a poll, no GET, no look-up
    assert stats["list"] <= result["polls"] - 1 + 3 and "get" not in stats and stats["logins"] == 1, stats
    assert stats["list_targets"] == 1, "the vaults' other names read once"


@BOTH_FILTERS
def test_nothing_running_returns_at_once_with_the_newest_job(sim, ansible):
    sim.add_job("luna", created=time.time() - 50)
    newest = sim.add_job("luna", created=time.time() - 10).id
    run = ansible.playbook(wait_playbook(cloud="luna"), "--check")
    assert run.rc == 0, run.output
    result = run.result("wait")
    assert [j["id"] for j in result["sync_jobs"]] == [newest] and result["polls"] == 1


def test_check_mode_waits_too(sim, ansible):
    job = sim.add_job("google", duration=2, starts_when_seen=True).id
    run = ansible.playbook(wait_playbook(cloud="google", id=[job], poll_interval=0.5), "--check")
    assert run.rc == 0, run.output
    assert run.result("wait")["sync_jobs"][0]["state"] == "succeeded"


def test_wrong_cloud_filter_and_bad_timing_fail_before_any_request(sim, ansible):
    run = ansible.playbook(wait_playbook(cloud="azure", kms=["x"]))
    assert run.rc == 2 and "kms: is a filter of aws jobs, not of azure" in run.result("wait")["msg"]
    run = ansible.playbook(wait_playbook(cloud="aws", poll_interval=5, max_poll_interval=1))
    assert "max_poll_interval: must be at least poll_interval" in run.result("wait")["msg"]
    run = ansible.playbook(wait_playbook(cloud="aws", scope="certificates"))
    assert "scope: 'certificates' is not a scope of aws" in run.result("wait")["msg"]
    assert sim.stats().get("requests", 0) == 0


def test_timeout_0_checks_once_and_fails_if_a_job_is_still_in_progress(sim, ansible):
    running = sim.add_job("aws", duration=600).id
    done = sim.add_job("aws", created=time.time() - 60).id
    run = ansible.playbook(wait_playbook(cloud="aws", id=[running], timeout=0))
    assert run.rc == 2
    result = run.result("wait")
    assert result["timed_out"] is True and result["polls"] == 1 and "Timed out after 0 s and 1 poll waiting" in result["msg"]
    run = ansible.playbook(wait_playbook(cloud="aws", id=[done], timeout=0))
    assert run.rc == 0 and run.result("wait")["polls"] == 1, run.output


@BOTH_FILTERS
def test_a_job_deleted_mid_wait_ends_the_wait_at_once_naming_it(sim, ansible):
    # deleted after the first look has read it (the newest page and the running listing): no race with start-up
    gone = sim.add_job("azure", filter_values=["vault-a"], duration=600, vanish_after_reads=2)
    sim.add_job("azure", filter_values=["vault-a"], created=time.time() - 60)
    started = time.monotonic()
    run = ansible.playbook(wait_playbook(cloud="azure", key_vaults=["vault-a"], poll_interval=0.5, max_poll_interval=1))
    assert run.rc == 2 and time.monotonic() - started < 60, "ended long before the 1800 s timeout"
    message = run.result("wait")["msg"]
    assert "Synchronization job %s (azure keys) is gone from CipherTrust Manager" % gone.id in message, message
    assert "Traceback" not in run.output
    by_id = sim.add_job("azure", duration=600, vanish_after_reads=1)  # gone after the first poll's GET
    run = ansible.playbook(wait_playbook(cloud="azure", id=[by_id.id], poll_interval=0.5, max_poll_interval=1))
    assert run.rc == 2 and "%s (azure keys) is gone" % by_id.id in run.result("wait")["msg"]


@BOTH_FILTERS
def test_nothing_running_and_the_newest_job_failed_long_ago_says_so(sim, ansible):
    ended = time.time() - 3 * 3600 - 600
    job = sim.add_job("aws", filter_values=["kms-prod"], outcome="failed", created=ended - 5, duration=5).id
    run = ansible.playbook(wait_playbook(cloud="aws", kms=["kms-prod"]))
    assert run.rc == 2
    message = run.result("wait")["msg"]
    assert message.startswith(
        "No aws keys synchronization job covering kms=kms-prod was running, so nothing was waited for; 1 of 1 "
        "targets' newest jobs ended badly: kms-prod: its newest covering job, %s, ended failed at 20" % job
    ), message
    assert "(3 h 10 min ago): kms-prod: Error synchronizing" in message and run.result("wait")["polls"] == 1


@BOTH_FILTERS
def test_a_filter_that_matches_no_job_warns_naming_it(sim, ansible):
    sim.add_job("aws", filter_values=["kms-prod"])
    run = ansible.adhoc("ciphertrust.cckm.sync_job_wait", "cloud=aws kms=kms-prd")
    assert run.rc == 0, run.output
    assert "No aws keys synchronization job covers kms=kms-prd on CipherTrust Manager" in run.flat_output
    result = run.result("")
    assert result["sync_jobs"] == [] and [(t["target"], t["state"]) for t in result["targets"]] == [("kms-prd", None)]
