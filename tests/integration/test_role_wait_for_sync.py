"""The wait_for_sync role end to end: progress lines, summary, wait_for_sync_result and set_stats."""

import re
import time

import pytest

from tests.integration.helpers import local_inventory, role_playbook

# The controller side of this path differs between ansible-core versions: make test runs it on the newest too.
pytestmark = pytest.mark.every_core


def test_role_prints_progress_and_publishes_stats(sim, ansible):
    for name in ("kms-prod", "kms-dr", "kms-test"):
        sim.add_job("aws", filter_values=[name], duration=7, starts_when_seen=True)
    run = ansible.playbook(
        role_playbook(
            wait_for_sync_cloud="aws",
            wait_for_sync_filters={"kms": ["kms-prod", "kms-dr", "kms-test"]},
            wait_for_sync_poll_interval="1",
            wait_for_sync_progress_interval="2",
            wait_for_sync_scope="",
            wait_for_sync_job_ids="",
        ),
        timeout=120,
        ANSIBLE_SHOW_CUSTOM_STATS="1",
    )
    assert run.rc == 0, run.output
    progress = re.findall(r"waiting for aws keys synchronization: (\d+) job\(s\) in progress after (\d+) s", run.stdout)
    assert len(progress) >= 2, run.stdout
    assert all(int(count) == 3 for count, _elapsed in progress[:1])
    assert "aws keys synchronization finished after" in run.stdout and "3 succeeded" in run.stdout
    assert "targets: kms-prod succeeded, kms-dr succeeded, kms-test succeeded" in run.stdout
    result = run.result("show result")["wait_for_sync_result"]
    assert result["summary"]["succeeded"] == 3 and result["timed_out"] is False and result["polls"] >= 3
    assert [t["target"] for t in result["targets"]] == ["kms-prod", "kms-dr", "kms-test"]
    assert isinstance(result["elapsed"], float) and isinstance(result["polls"], int) and result["failed"] is False
    assert "CUSTOM STATS" in run.stdout and "wait_for_sync_result" in run.stdout.split("CUSTOM STATS")[1]
    assert sim.stats()["logins"] == 1


def test_role_failure_still_sets_result_and_stats(sim, ansible):
    job = sim.add_job("sfdc", duration=1, outcome="failed").id
    run = ansible.playbook(
        role_playbook(wait_for_sync_cloud="sfdc", wait_for_sync_job_ids=job, wait_for_sync_poll_interval="0.5"),
        ANSIBLE_SHOW_CUSTOM_STATS="1",
    )
    assert run.rc == 2
    assert "sfdc keys synchronization failed after" in run.stdout and job in run.stdout
    stats = run.stdout.split("CUSTOM STATS")[1]
    assert "wait_for_sync_result" in stats and '"failed": true' in stats.replace("True", "true")


BAD_VARIABLES = [
    ("wait_for_sync_timeout", "soon", "wait_for_sync_timeout must be a number of seconds (got soon)."),
    ("wait_for_sync_max_poll_interval", "-5", "wait_for_sync_max_poll_interval must be a number of seconds (got -5)."),
    ("wait_for_sync_fail_on", "failed,partal", "wait_for_sync_fail_on may list failed, cancelled and partial"),
    ("wait_for_sync_fail_on", "failed\npartal", "comma-separated (got partal)."),
    ("wait_for_sync_start", "yes please", "wait_for_sync_start must be true or false (got yes please)."),
    ("wait_for_sync_synchronize_all", "maybe", "wait_for_sync_synchronize_all must be true or false (got maybe)."),
    ("wait_for_sync_filters", {"kmss": ["a"]}, "wait_for_sync_filters has 'kmss', which is not a scope filter"),
    ("wait_for_sync_filters", "kms", "wait_for_sync_filters has 'kms', which is not key=value"),
    ("wait_for_sync_filters", '{"kms": [', "wait_for_sync_filters is not valid JSON"),
]


def test_role_names_each_hosts_one_bad_variable_and_its_value(sim, ansible, tmp_path):
    # One run, one inventory host per bad variable (given as that host's variable): each host fails on its own.
    # (each host checks its own variables; the wait itself would run once, on the controller: the role's run_once)
    cases = {"case%d" % index: case for index, case in enumerate(BAD_VARIABLES)}
    inventory = local_inventory(
        tmp_path / "hosts.yml", {host: {variable: value} for host, (variable, value, _m) in cases.items()}
    )
    run = ansible.playbook(role_playbook(hosts="cms", wait_for_sync_cloud="aws"), "-i", inventory)
    assert run.rc == 2, run.output
    assert "One or more items failed" not in run.output and "DEPRECATION" not in run.output
    check = "ciphertrust.cckm.wait_for_sync : Check the wait_for_sync variables"
    checks = {r["host"]: r for r in run.records if r["task"] == check}
    assert sorted(checks) == sorted(cases), run.output[-3000:]
    for host, (variable, value, message) in cases.items():
        # the task's own msg, what a rescue, an AWX notification and ansible_failed_result.msg show
        said = checks[host]["result"].get("msg", "")
        assert checks[host]["status"] == "failed" and message in said, (variable, value, said)
        others = {name for name, _value, _message in BAD_VARIABLES} - {variable}
        assert not any(other in said for other in others), "only the bad variable is named: %r" % said
    assert sim.stats().get("requests", 0) == 0


def test_role_rejects_an_unknown_cloud_by_its_argument_spec(sim, ansible):
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="gcp"))
    assert run.rc == 2 and "wait_for_sync_cloud" in run.output and "aws, azure, dsm" in run.output


@pytest.mark.parametrize(
    "answer", ["kms=kms-prod", '{"kms": ["kms-prod"]}', {"kms": "kms-prod"}], ids=["key=value", "JSON", "dict"]
)
def test_role_takes_filters_as_survey_text_or_a_dict(sim, ansible, answer):
    job = sim.add_job("aws", filter_values=["kms-prod"], duration=2, starts_when_seen=True).id
    sim.add_job("aws", filter_values=["kms-other"], duration=600)
    run = ansible.playbook(
        role_playbook(wait_for_sync_cloud="aws", wait_for_sync_filters=answer, wait_for_sync_poll_interval="0.5")
    )
    assert run.rc == 0, run.output
    assert [j["id"] for j in run.result("show result")["wait_for_sync_result"]["sync_jobs"]] == [job]


def test_a_filter_matching_nothing_warns_in_the_module_and_the_summary(sim, ansible):
    sim.add_job("aws", filter_values=["kms-prod"])
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="aws", wait_for_sync_filters="kms=kms-prd"))
    assert run.rc == 0, run.output
    warning = "No aws keys synchronization job covers kms=kms-prd on CipherTrust Manager"
    assert warning in run.result("show result")["wait_for_sync_result"]["warnings"][0]
    assert "0 job(s); targets: kms-prd no job. Warning: " + warning in run.stdout.replace("\n", " ")


def test_role_in_check_mode(sim, ansible):
    sim.add_job("oci", filter_values=["v"], duration=2, starts_when_seen=True)
    run = ansible.playbook(
        role_playbook(wait_for_sync_cloud="oci", wait_for_sync_filters={"vaults": ["v"]}, wait_for_sync_poll_interval=0.5),
        "--check",
    )
    assert run.rc == 0, run.output
    assert run.result("show result")["wait_for_sync_result"]["summary"]["succeeded"] == 1


def test_ansible_doc_renders_the_role(ansible):
    proc = ansible.command("ansible-doc", "-t", "role", "ciphertrust.cckm.wait_for_sync")
    assert proc.returncode == 0 and "wait_for_sync_progress_interval" in proc.stdout, proc.stderr


def test_role_starts_the_sync_first_then_waits_for_that_job(sim, ansible):
    sim.starting.duration = 2.0
    older = sim.add_job("aws", filter_values=["kms-prod"], outcome="failed", created=time.time() - 600)
    run = ansible.playbook(
        role_playbook(
            wait_for_sync_cloud="aws",
            wait_for_sync_start="true",
            wait_for_sync_filters="kms=kms-prod regions=us-east-1",
            wait_for_sync_poll_interval="0.5",
        )
    )
    assert run.rc == 0, run.output
    assert sim.start_bodies == [
        {"path": "/api/v1/cckm/aws/synchronization-jobs", "body": {"kms": ["kms-prod"], "regions": ["us-east-1"]}}
    ]
    result = run.result("show result")["wait_for_sync_result"]
    assert result["started"] is True and result["reused"] is False
    assert [j["state"] for j in result["sync_jobs"]] == ["succeeded"] and result["sync_jobs"][0]["id"] != older.id


def test_role_reuses_a_running_sync_and_in_check_mode_starts_nothing(sim, ansible):
    running = sim.add_job("azure", filter_values=[], duration=3, starts_when_seen=True)
    run = ansible.playbook(
        role_playbook(
            wait_for_sync_cloud="azure",
            wait_for_sync_start=True,
            wait_for_sync_synchronize_all=True,
            wait_for_sync_poll_interval=0.5,
        )
    )
    assert run.rc == 0, run.output
    result = run.result("show result")["wait_for_sync_result"]
    assert result["reused"] is True and [j["id"] for j in result["sync_jobs"]] == [running.id]
    check = ansible.playbook(
        role_playbook(wait_for_sync_cloud="google", wait_for_sync_start="yes", wait_for_sync_filters={"key_rings": ["r1"]}),
        "--check",
    )
    assert check.rc == 0, check.output
    assert sim.start_bodies == []
    checked = check.result("show result")["wait_for_sync_result"]
    assert checked["started"] is False and checked["would_start"] is True and checked["cloud"] == "google"
    summary = check.result("ciphertrust.cckm.wait_for_sync : Summarize")["msg"]
    assert "check mode, so nothing was started and nothing waited for; a synchronization of r1 would be started" in summary
    assert "0 polls" not in summary


def test_role_takes_fail_on_as_awx_sends_a_multiple_choice_answer(sim, ansible):
    # The survey's own default, "failed\ncancelled": one choice a line. A partial job passes with it.
    job = sim.add_job("aws", outcome="partial", duration=0).id
    for answer in ("failed\ncancelled", ["failed", "cancelled"], "failed, cancelled"):
        run = ansible.playbook(role_playbook(wait_for_sync_cloud="aws", wait_for_sync_job_ids=job, wait_for_sync_fail_on=answer))
        assert run.rc == 0, run.output
        assert run.result("show result")["wait_for_sync_result"]["cloud"] == "aws"
    strict = ansible.playbook(
        role_playbook(wait_for_sync_cloud="aws", wait_for_sync_job_ids=job, wait_for_sync_fail_on="partial\nfailed")
    )
    assert strict.rc == 2 and "job %s is partial" % job in strict.output, strict.output


def test_role_start_without_targets_is_refused_by_name(sim, ansible):
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="aws", wait_for_sync_start=True))
    assert run.rc == 2 and "wait_for_sync_start is true: give the targets to synchronize in wait_for_sync_filters" in run.output
    assert sim.stats().get("requests", 0) == 0
