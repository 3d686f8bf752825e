"""sync_job through ansible-playbook against the simulator: start, reuse, refusal, lost answers, cancel.

The simulator records every start body and counts starts; each test asserts what CM received and
how many jobs exist afterwards, not only what the module said.
"""

from __future__ import annotations

import time

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from tests.integration.helpers import playbook, task
from tests.simulator.families import FAMILIES

SYNC = "ciphertrust.cckm.sync_job"
FAST = {"poll_interval": 0.5, "max_poll_interval": 1}


def start_case(cloud: str):
    """(module option, values, the start body's field CM must receive) for a cloud: the option from the table of
    clouds, the field from the simulator's own row, written from the vendor's API pages (tests/simulator/families.py)."""
    family = FAMILIES.get((cloud, CLOUDS[cloud].default_scope))
    assert family is not None, "tests/simulator/families.py has no row for %s: add its Family" % cloud
    return CLOUDS[cloud].target_option, list(family.sample_targets[:1]) or ["%s-target-1" % cloud], family.start_field


EVERY_SCOPE = [(cloud, scope) for cloud in sorted(CLOUDS) for scope in sorted(CLOUDS[cloud].scopes)]


def sync(name="sync", **args):
    return task(name, SYNC, args)


def jobs_on_cm(sim, cloud, scope="keys"):
    return sim.store.query("/api" + CLOUDS[cloud].scope(scope).path, {}, time.time())


def test_start_and_wait_in_every_cloud_and_scope_sends_the_apis_body(sim, ansible):
    sim.starting.polls = 2  # the start's answer and the first poll see it running, the second poll ends it
    tasks = []
    for cloud, scope in EVERY_SCOPE:
        option, values, _field = start_case(cloud)
        args = dict({option: values, "scope": scope, "wait": True}, **FAST)
        if CLOUDS[cloud].regions:
            args["regions"] = ["us-east-1", "eu-west-1"]
        if CLOUDS[cloud].scope(scope).backup:
            args["take_cloud_key_backup"] = True
        tasks.append(sync("%s %s" % (cloud, scope), cloud=cloud, **args))
    run = ansible.playbook(playbook(*tasks), timeout=400)
    assert run.rc == 0, run.output[-3000:]
    bodies = {entry["path"]: entry["body"] for entry in sim.start_bodies}
    assert len(sim.start_bodies) == len(EVERY_SCOPE), "one start per task, no retry"
    for cloud, scope in EVERY_SCOPE:
        option, values, field = start_case(cloud)
        body = bodies["/api" + CLOUDS[cloud].scope(scope).path]
        expected = {field: values}
        if CLOUDS[cloud].regions:
            expected["regions"] = ["us-east-1", "eu-west-1"]
        if CLOUDS[cloud].scope(scope).backup:
            expected["take_cloud_key_backup"] = True
        assert body == expected, (cloud, scope, body)
        result = run.result("%s %s" % (cloud, scope))
        assert result["changed"] is True and result["reused"] is False
        assert [job["state"] for job in result["sync_jobs"]] == ["succeeded"] and result["polls"] >= 2
    assert sim.stats()["start"] == len(EVERY_SCOPE)


def test_a_running_job_that_covers_the_targets_is_reused_without_a_post(sim, ansible):
    everything = sim.add_job("azure", filter_values=[], duration=600)
    covering = sim.add_job("aws", filter_values=["kms-prod", "kms-dr"], duration=600)
    run = ansible.playbook(
        playbook(
            sync("subset", cloud="aws", kms=["kms-prod"]),
            sync("same again", cloud="aws", kms=["kms-prod"]),
            sync("all of azure", cloud="azure", key_vaults=["vault1"]),
            sync("all of azure asked", cloud="azure", synchronize_all=True),
        )
    )
    assert run.rc == 0, run.output
    for name, job in (
        ("subset", covering),
        ("same again", covering),
        ("all of azure", everything),
        ("all of azure asked", everything),
    ):
        result = run.result(name)
        assert (result["changed"], result["reused"], result["sync_jobs"][0]["id"]) == (False, True, job.id), name
    assert sim.start_bodies == [], "nothing was POSTed"


def test_a_start_runs_once_and_a_second_run_while_it_runs_is_unchanged(sim, ansible):
    sim.starting.duration = 60.0
    first = ansible.playbook(playbook(sync(cloud="google", key_rings=["r1"])))
    second = ansible.playbook(playbook(sync(cloud="google", key_rings=["r1"])))
    assert first.rc == 0 and second.rc == 0, first.output + second.output
    assert first.result("sync")["changed"] is True and second.result("sync")["changed"] is False
    assert second.result("sync")["reused"] is True
    assert second.result("sync")["sync_jobs"][0]["id"] == first.result("sync")["sync_jobs"][0]["id"]
    assert len(sim.start_bodies) == 1


def test_reuse_running_false_with_a_running_job_is_refused_naming_it(sim, ansible):
    running = sim.add_job("sap", filter_values=["group-a"], duration=600)
    run = ansible.playbook(playbook(sync(cloud="sap", groups=["group-a"], reuse_running=False)))
    assert run.rc == 2
    message = run.result("sync")["msg"]
    assert "refused to start the sap keys synchronization of groups=group-a (HTTP 409" in message, message
    assert running.id in message and "set reuse_running: true" in message
    assert len(sim.start_bodies) == 1 and sim.stats().get("start", 0) == 0


@pytest.mark.parametrize("status", [409, 400, 422])
def test_a_refusal_of_any_4xx_is_explained_by_the_running_job(sim, ansible, status):
    sim.starting.refuse_status = status
    other = sim.add_job("oci", filter_values=["vault-other"], duration=600)
    run = ansible.playbook(playbook(sync(cloud="oci", vaults=["vault-finance"])))
    assert run.rc == 2
    message = run.result("sync")["msg"]
    assert "(HTTP %d" % status in message and other.id in message and "vaults=vault-other" in message, message
    assert "sync_job_wait with cloud=oci scope=keys id=%s" % other.id in message
    assert len(sim.start_bodies) == 1, "a refusal is not retried"


def test_a_refusal_because_a_covering_job_started_meanwhile_reuses_it(sim, ansible):
    listings = []

    def start_one_while_the_module_looks(path, skip):
        # The module lists once per spelling of in progress; a sync starts during the second listing,
        # too late for it (stored as in_progress), before the module's POST.
        listings.append(path)
        if len(listings) == 2:
            sim.add_job("aws", filter_values=["kms-prod"], duration=600, job_id="started-meanwhile")

    sim.page_hook = start_one_while_the_module_looks
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"])))
    assert run.rc == 0, run.output
    result = run.result("sync")
    assert result["reused"] is True and result["changed"] is False and result["sync_jobs"][0]["id"] == "started-meanwhile"
    assert len(sim.start_bodies) == 1 and sim.stats().get("start", 0) == 0


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "drop", "acts_first": True},
        {"kind": "slow", "delay": 3},
        {"kind": "status", "status": 503},
        {"kind": "reset"},
    ],
    ids=["dropped after CM started the job", "answer slower than request_timeout", "HTTP 503", "connection reset"],
)
def test_a_lost_or_failed_post_leads_to_exactly_one_job(sim, ansible, fault):
    sim.starting.duration = 3.0
    sim.starting.refuse_status = 0  # a CM that would even run a second job: only the module's care prevents it
    sim.inject(match="other", **fault)
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"], request_timeout=1.5, wait=True, **FAST)))
    assert run.rc == 0, run.output[-3000:]
    jobs = jobs_on_cm(sim, "aws")
    assert len(jobs) == 1, "exactly one job on CM"
    result = run.result("sync")
    assert result["changed"] is True and result["sync_jobs"][0]["id"] == jobs[0].id
    assert result["sync_jobs"][0]["state"] == "succeeded"
    posts = [r for r in sim.requests_seen() if r["method"] == "POST" and r["path"].endswith("/synchronization-jobs")]
    assert len(posts) == (1 if fault.get("acts_first") or fault["kind"] == "slow" else 2), posts


def test_a_post_that_keeps_failing_gives_up_after_looking_each_time(sim, ansible):
    sim.inject("status", status=503, match="other", count=10)
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"])))
    assert run.rc == 2
    message = run.result("sync")["msg"]
    assert "HTTP 503" in message and "Gave up after 3 POSTs" in message and "no job runs for this request" in message
    assert sim.stats()["fault_status"] == 3 and sim.stats().get("start", 0) == 0
    assert jobs_on_cm(sim, "aws") == []


def module_time(sim, request_timeout):
    """From the module's first request (its login) to the end of its last: a start CM stalls (the module
    gives up on it after ``request_timeout``) or a look at the running jobs, answered at once.

    ansible-playbook's start-up is left out: on a loaded machine it alone can take seconds.
    """
    seen = sim.requests_seen()
    assert seen, "the module sent nothing"
    last_stalled = seen[-1]["method"] == "POST" and len(seen) > 1
    return seen[-1]["time"] - seen[0]["time"] + (request_timeout if last_stalled else 0.0)


def test_a_cm_slower_than_request_timeout_on_every_start_holds_the_task_for_its_timeout_only(sim, ansible):
    # Every POST stalls past request_timeout and is never acted on: with wait, the task's timeout bounds it all.
    sim.inject("stall", delay=4, match="other", count=10)
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"], request_timeout=1, wait=True, timeout=4, **FAST)))
    took = module_time(sim, request_timeout=1)
    assert run.rc == 2
    message = run.result("sync")["msg"]
    assert "Gave up after 1 POST (the task's timeout left no time for another)" in message, message
    assert jobs_on_cm(sim, "aws") == []
    assert took < 4 + 1 + 1, "timeout + request_timeout, not 3 full attempts (%.1f s)" % took


def test_without_wait_a_cm_that_never_answers_a_start_is_bounded_by_the_attempts(sim, ansible):
    sim.inject("stall", delay=3, match="other", count=10)
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"], request_timeout=1)))
    took = module_time(sim, request_timeout=1)
    assert run.rc == 2 and "Gave up after 3 POSTs;" in run.result("sync")["msg"]
    # documented bound: about 3 x (request_timeout + min(2 x request_timeout, 60) + 3) = 18 s
    assert took < 18 + 2, took
    assert jobs_on_cm(sim, "aws") == []


def test_wait_options_without_wait_are_warned_about(sim, ansible):
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"], timeout=60, fail_on=["partial"])))
    assert run.rc == 0, run.output
    assert "timeout and fail_on have effect only with wait: true, which this task does not set" in run.flat_output
    quiet = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"])))
    assert "wait: true" not in quiet.flat_output


def test_a_cancel_that_finds_no_running_job_warns_naming_the_targets(sim, ansible):
    sim.add_job("aws", filter_values=["kms-a"], duration=0)  # finished: nothing to cancel
    run = ansible.playbook(
        playbook(
            sync("by targets", cloud="aws", state="cancelled", kms=["kms-a", "kms-b"]),
            sync("everything", cloud="azure", state="cancelled", synchronize_all=True),
        )
    )
    assert run.rc == 0, run.output
    assert run.result("by targets")["changed"] is False and run.result("by targets")["sync_jobs"] == []
    assert "No aws keys synchronization job for kms=kms-a,kms-b is running, so nothing was cancelled" in run.flat_output
    assert "No azure keys synchronization job for any target is running, so nothing was cancelled" in run.flat_output


def test_a_401_on_the_post_renews_the_token_and_sends_it_once_more(sim, ansible):
    sim.inject("expire_tokens", match="other")
    run = ansible.playbook(playbook(sync(cloud="aws", kms=["kms-prod"])))
    assert run.rc == 0, run.output
    assert len(jobs_on_cm(sim, "aws")) == 1 and sim.stats()["unauthorized"] == 1 and len(sim.start_bodies) == 1


def test_check_mode_sends_no_post_and_says_what_would_happen(sim, ansible):
    running = sim.add_job("aws", filter_values=["kms-prod"], duration=600)
    run = ansible.playbook(
        playbook(
            sync("would start", cloud="azure", key_vaults=["vault1"]),
            sync("would reuse", cloud="aws", kms=["kms-prod"]),
            sync("would cancel", cloud="aws", state="cancelled", id=[running.id]),
        ),
        "--check",
    )
    assert run.rc == 0, run.output
    assert (run.result("would start")["changed"], run.result("would start")["sync_jobs"]) == (True, [])
    assert run.result("would reuse")["reused"] is True and run.result("would reuse")["changed"] is False
    assert run.result("would cancel")["changed"] is True
    assert sim.start_bodies == [] and "cancel_requests" not in sim.stats()
    assert not running.finished(time.time())


def test_cancel_a_running_a_finished_and_an_unknown_job(sim, ansible):
    sim.starting.cancel_settle = 1.0
    running = sim.add_job("sfdc", "certificates", filter_values=["org1"], duration=600)
    finished = sim.add_job("sfdc", "certificates", filter_values=["org1"], created=time.time() - 60)
    run = ansible.playbook(
        playbook(
            sync("running", cloud="sfdc", scope="certificates", state="cancelled", id=[running.id], wait=True, **FAST),
            sync("again", cloud="sfdc", scope="certificates", state="cancelled", id=[running.id]),
            sync("finished", cloud="sfdc", scope="certificates", state="cancelled", id=[finished.id]),
            dict(
                sync("unknown", cloud="sfdc", scope="certificates", state="cancelled", id=["4f1d1b1b-0000"]), ignore_errors=True
            ),
        )
    )
    result = run.result("running")
    assert (
        result["changed"] is True and result["sync_jobs"][0]["state"] == "cancelled" and result["sync_jobs"][0]["abort"] is True
    )
    assert result["polls"] >= 2, "the cancelled job stayed in progress a moment and was waited for"
    assert run.result("again")["changed"] is False and run.result("again")["sync_jobs"][0]["state"] == "cancelled"
    assert run.result("finished")["changed"] is False and run.result("finished")["sync_jobs"][0]["state"] == "succeeded"
    assert "No sfdc certificates synchronization job with id 4f1d1b1b-0000" in run.result("unknown")["msg"]
    assert sim.stats()["cancel"] == 1


def test_cancel_the_running_jobs_of_targets_or_of_the_whole_scope(sim, ansible):
    sim.starting.cancel_settle = 0.0
    a = sim.add_job("luna", filter_values=["p1"], duration=600, target_key="partitions")
    b = sim.add_job("luna", filter_values=["p2"], duration=600, target_key="partitions")
    c = sim.add_job("aws", filter_values=["kms-a"], duration=600)
    d = sim.add_job("aws", filter_values=["kms-b"], duration=600)
    run = ansible.playbook(
        playbook(
            sync("luna p1", cloud="luna", state="cancelled", partitions=["p1"]),
            sync("all aws", cloud="aws", state="cancelled", synchronize_all=True),
        )
    )
    assert run.rc == 0, run.output
    assert [j["id"] for j in run.result("luna p1")["sync_jobs"]] == [a.id]
    assert sorted(j["id"] for j in run.result("all aws")["sync_jobs"]) == sorted([c.id, d.id])
    now = time.time()
    assert a.finished(now) and not b.finished(now) and c.finished(now) and d.finished(now)


def test_bad_combinations_fail_before_any_request_naming_the_options(sim, ansible):
    run = ansible.playbook(
        playbook(
            dict(sync("neither", cloud="aws"), ignore_errors=True),
            dict(sync("both", cloud="aws", kms=["a"], synchronize_all=True), ignore_errors=True),
            dict(sync("foreign target", cloud="azure", kms=["a"]), ignore_errors=True),
            dict(sync("regions elsewhere", cloud="google", key_rings=["r"], regions=["x"]), ignore_errors=True),
            dict(sync("backup elsewhere", cloud="aws", kms=["a"], take_cloud_key_backup=True), ignore_errors=True),
            dict(sync("id with started", cloud="aws", id=["abc"]), ignore_errors=True),
            dict(sync("cancel nothing", cloud="aws", state="cancelled"), ignore_errors=True),
        )
    )
    expected = {
        "neither": "kms: is required to start a synchronization",
        "both": "kms: cannot be given with synchronize_all: true",
        "foreign target": "kms: is a target of aws jobs, not of azure",
        "regions elsewhere": "regions: is a target of aws jobs, not of google",
        "backup elsewhere": "take_cloud_key_backup: applies to azure keys synchronization only",
        "id with started": "id: names jobs to cancel",
        "cancel nothing": "id: nothing to cancel was given: give the job ids (id), the kms whose running jobs to cancel",
    }
    for name, words in expected.items():
        assert words in run.result(name)["msg"], (name, run.result(name)["msg"])
    assert sim.stats().get("requests", 0) == 0


def test_the_salesforce_job_lists_its_targets_under_kms_as_in_the_vendors_example(sim, ansible):
    sim.starting.sfdc_job_key = "kms"
    sim.starting.duration = 600
    first = ansible.playbook(playbook(sync(cloud="sfdc", organizations=["00DB000000040bIMAQ"])))
    second = ansible.playbook(playbook(sync(cloud="sfdc", organizations=["00DB000000040bIMAQ"])))
    assert first.result("sync")["sync_jobs"][0]["kms"] == ["00DB000000040bIMAQ"]
    assert second.result("sync")["reused"] is True and len(sim.start_bodies) == 1


@pytest.mark.parametrize("status", [200, 201])
def test_the_start_answer_may_be_200_or_201(sim, ansible, status):
    sim.starting.status = status
    run = ansible.adhoc(SYNC, "cloud=aws kms=kms-prod")
    assert run.rc == 0, run.output
    assert run.result("")["changed"] is True and run.result("")["sync_jobs"][0]["kms"] == ["kms-prod"]
