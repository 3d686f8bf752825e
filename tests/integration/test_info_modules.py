"""Every <cloud>_sync_job_info module, run by ansible-playbook and ansible against the simulator."""

import time

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from tests.integration.helpers import playbook, task
from tests.simulator.families import FAMILIES

both_status_filters = pytest.mark.usefixtures("both_status_filters")


def test_every_module_lists_its_clouds_jobs_in_every_scope_with_states(sim, ansible):
    now = time.time()
    expected = {}
    for (cloud, scope), family in FAMILIES.items():
        values = ["%s-%s-a" % (cloud, scope)] if family.filter_key else []
        ids = [
            sim.add_job(cloud, scope, filter_values=values, outcome="partial", created=now - 30).id,
            sim.add_job(cloud, scope, filter_values=values, outcome="aborted", created=now - 20).id,
            sim.add_job(cloud, scope, filter_values=values, duration=600, spelling="in progress", created=now - 10).id,
        ]
        sim.add_job(cloud, scope, filter_values=["other"] if family.filter_key else [], created=now - 40)
        expected[(cloud, scope)] = (family, values, ids)
    tasks = []
    for (cloud, scope), (family, values, _ids) in expected.items():
        args = {"scope": scope} if len(CLOUDS[cloud].scopes) > 1 else {}
        if family.filter_key:
            args[family.filter_key] = values
        tasks.append(task("%s %s" % (cloud, scope), "ciphertrust.cckm.%s_sync_job_info" % cloud, args))
    run = ansible.playbook(playbook(*tasks))
    assert run.rc == 0, run.output
    for (cloud, scope), (family, _values, ids) in expected.items():
        result = run.result("%s %s" % (cloud, scope))
        expected_count = 3 if family.filter_key else 4  # luna has no filter: sees the extra job too
        assert result["changed"] is False
        assert result["total"] == expected_count and len(result["sync_jobs"]) == expected_count, (cloud, scope)
        got = [job["id"] for job in result["sync_jobs"]][:3]
        assert got == list(reversed(ids)), "newest first"
        assert [job["state"] for job in result["sync_jobs"]][:3] == ["in_progress", "cancelled", "partial"]
        assert result["summary"]["in_progress"] == 1 and result["summary"]["partial"] == 1
        assert result["sync_jobs"][2]["errors"][0]["message"].startswith("Error listing keys")


@both_status_filters
def test_adhoc_in_progress_with_only_cm_variables_matches_both_spellings(sim, ansible):
    a = sim.add_job("aws", duration=600, spelling="in_progress").id
    b = sim.add_job("aws", duration=600, spelling="in progress").id
    sim.add_job("aws", outcome="completed")
    run = ansible.adhoc("ciphertrust.cckm.aws_sync_job_info", "overall_status=in_progress")
    assert run.rc == 0, run.output
    result = run.result("")
    assert sorted(job["id"] for job in result["sync_jobs"]) == sorted([a, b])
    assert result["total"] == 2 and result["summary"]["in_progress"] == 2
    assert '"in_progress": 2' in run.stdout  # the user sees the result on the terminal


def test_all_2500_jobs_newest_first_with_total_and_summary(sim, ansible):
    now = time.time()
    outcomes = ["completed", "failed", "partial", "aborted", "error"]
    for index in range(2500):
        sim.add_job("azure", outcome=outcomes[index % 5], created=now - index * 2)
    sim.max_limit = 1000
    run = ansible.adhoc("ciphertrust.cckm.azure_sync_job_info")
    assert run.rc == 0, run.output
    result = run.result("")
    jobs = result["sync_jobs"]
    assert len(jobs) == 2500 and result["total"] == 2500 and len({job["id"] for job in jobs}) == 2500
    created = [job["createdAt"] for job in jobs]
    assert created == sorted(created, reverse=True)
    assert result["summary"] == {
        "in_progress": 0,
        "succeeded": 500,
        "partial": 500,
        "failed": 1000,
        "cancelled": 500,
        "unknown": 0,
    }
    assert sim.stats()["list"] == 3


@both_status_filters
def test_paging_filters_id_and_check_mode(sim, ansible):
    now = time.time()
    ids = [sim.add_job("sfdc", "certificates", filter_values=["org-%d" % (i % 2)], created=now - i).id for i in range(12)]
    info = "ciphertrust.cckm.sfdc_sync_job_info"
    run = ansible.playbook(
        playbook(
            task("window", info, {"scope": "certificates", "skip": 2, "limit": 3}),
            task("by org", info, {"scope": "certificates", "organizations": ["org-1"]}),
            task("by id", info, {"scope": "certificates", "id": ids[5]}),
            task("unknown id", info, {"scope": "certificates", "id": "00000000-0000-0000-0000-000000000000"}),
            task("completed only", info, {"scope": "certificates", "overall_status": "completed", "limit": 1}),
        ),
        "--check",
    )
    assert run.rc == 0, run.output
    assert [j["id"] for j in run.result("window")["sync_jobs"]] == ids[2:5] and run.result("window")["total"] == 12
    assert sorted(j["id"] for j in run.result("by org")["sync_jobs"]) == sorted(ids[1::2])
    assert [j["id"] for j in run.result("by id")["sync_jobs"]] == [ids[5]]
    assert run.result("unknown id")["sync_jobs"] == [] and run.result("unknown id")["total"] == 0
    assert len(run.result("completed only")["sync_jobs"]) == 1 and run.result("completed only")["total"] == 12


@both_status_filters
def test_sort_keeps_cms_order_and_cm_refuses_an_unknown_property(sim, ansible):
    now = time.time()
    oldest_first = [sim.add_job("google", created=now - 100 + i, duration=0 if i % 2 else 600).id for i in range(6)]
    info = "ciphertrust.cckm.google_sync_job_info"
    run = ansible.playbook(
        playbook(
            task("ascending", info, {"sort": "createdAt"}),
            task("window", info, {"sort": "createdAt", "skip": 1, "limit": 2}),
            task("running, ascending", info, {"sort": "createdAt", "overall_status": "in_progress"}),
            task("default", info),
            task("unknown property", info, {"sort": "colour"}, ignore_errors=True),
            task("not a sort order", info, {"sort": "created at"}, ignore_errors=True),
        )
    )
    assert [j["id"] for j in run.result("ascending")["sync_jobs"]] == oldest_first
    assert [j["id"] for j in run.result("window")["sync_jobs"]] == oldest_first[1:3]
    assert [j["id"] for j in run.result("running, ascending")["sync_jobs"]] == oldest_first[0::2]
    assert [j["id"] for j in run.result("default")["sync_jobs"]] == oldest_first[::-1], "newest first without sort"
    assert (
        "HTTP 400" in run.result("unknown property")["msg"] and "cannot sort by 'colour'" in run.result("unknown property")["msg"]
    )
    assert run.result("not a sort order")["msg"].startswith("sort: 'created at' is not a sort order")
    assert sim.stats()["list"] == 6, "the malformed order was refused before any request"


def test_every_cloud_sorts_on_the_server(sim, ansible):
    # The vendor's CLI sends sort for aws, oci and google too: every info module offers it and CM's order is kept.
    now = time.time()
    clouds = sorted(CLOUDS)
    oldest_first = {cloud: [sim.add_job(cloud, created=now - 50 + i).id for i in range(3)] for cloud in clouds}
    run = ansible.playbook(
        playbook(*(task(cloud, "ciphertrust.cckm.%s_sync_job_info" % cloud, {"sort": "createdAt"}) for cloud in clouds))
    )
    assert run.rc == 0, run.output[-2000:]
    for cloud in clouds:
        assert [j["id"] for j in run.result(cloud)["sync_jobs"]] == oldest_first[cloud], cloud
    assert sim.stats()["list"] == len(clouds), "one sorted listing per cloud (without sort: newest first)"


# Option values are covered by test_bad_input; these are the mistakes only a request to CM reveals.
BAD = [
    ("wrong password", {"CM_PASSWORD": "Not-The-Password-1"}, "", "Login to CipherTrust Manager"),
    ("unknown host", {"CM_ADDRESS": "cm.does-not-exist.invalid"}, "", "Cannot resolve the host name in 'address'"),
    ("no ca_cert", {"CM_CA_CERT": None}, "", "set 'ca_cert' (CM_CA_CERT)"),
]


@pytest.mark.parametrize("case, env, args, reason", BAD, ids=[b[0] for b in BAD])
def test_connection_mistakes_fail_with_one_line_reason_and_no_password(sim, ansible, case, env, args, reason):
    run = ansible.adhoc("ciphertrust.cckm.aws_sync_job_info", args, "-vvv", **env)
    assert run.rc != 0
    assert reason in run.output, run.output
    message = [line for line in run.output.splitlines() if reason in line][0]
    assert "Traceback" not in run.output
    assert len(message) < 600
    for secret in sim.secrets_issued() + ["Not-The-Password-1"]:
        assert secret not in run.output


def test_ansible_doc_renders_every_module(ansible):
    for name in CLOUDS:
        proc = ansible.command("ansible-doc", "ciphertrust.cckm.%s_sync_job_info" % name)
        assert proc.returncode == 0 and "overall_status" in proc.stdout and "RETURN VALUES" in proc.stdout, proc.stderr
    proc = ansible.command("ansible-doc", "ciphertrust.cckm.sync_job_wait")
    assert proc.returncode == 0 and "max_poll_interval" in proc.stdout, proc.stderr


@both_status_filters
def test_state_filter_lists_cancelled_and_partial_jobs_with_paging_after_it(sim, ansible):
    now = time.time()
    outcomes = ["completed", "partial", "aborted", "failed", "cancelled_completed", "completed"]
    made = [sim.add_job("azure", "certificates", outcome=o, created=now - 60 - i).id for i, o in enumerate(outcomes * 4)]
    running = sim.add_job("azure", "certificates", duration=600, spelling="in progress").id
    wanted = [job_id for job_id, outcome in zip(made, outcomes * 4) if outcome in ("partial", "aborted", "cancelled_completed")]
    info = "ciphertrust.cckm.azure_sync_job_info"
    run = ansible.playbook(
        playbook(
            task("cancelled or partial", info, {"scope": "certificates", "state": ["cancelled", "partial"]}),
            task("window", info, {"scope": "certificates", "state": ["cancelled", "partial"], "skip": 2, "limit": 3}),
            task("running", info, {"scope": "certificates", "state": ["in_progress"], "overall_status": "in_progress"}),
            task("succeeded, counted", info, {"scope": "certificates", "state": ["succeeded"], "summary_only": True}),
        )
    )
    assert run.rc == 0, run.output
    every = run.result("cancelled or partial")
    assert [j["id"] for j in every["sync_jobs"]] == wanted and every["total"] == 12
    assert every["summary"]["cancelled"] == 8 and every["summary"]["partial"] == 4
    window = run.result("window")
    assert [j["id"] for j in window["sync_jobs"]] == wanted[2:5] and window["total"] == 12
    assert [j["id"] for j in run.result("running")["sync_jobs"]] == [running]
    counted = run.result("succeeded, counted")
    assert "sync_jobs" not in counted and counted["total"] == 8 and counted["summary"]["succeeded"] == 8


def test_summary_only_counts_a_large_history_without_returning_it(sim, ansible):
    sim.add_jobs("aws", 3000, outcome="failed")
    sim.add_job("aws", duration=600)
    run = ansible.adhoc("ciphertrust.cckm.aws_sync_job_info", "summary_only=true")
    assert run.rc == 0, run.output
    result = run.result("")
    assert "sync_jobs" not in result and result["total"] == 3001
    assert result["summary"]["failed"] == 3000 and result["summary"]["in_progress"] == 1
    assert len(run.stdout) < 2000
