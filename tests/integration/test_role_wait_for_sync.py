"""The wait_for_sync role end to end: progress lines, summary, wait_for_sync_result and set_stats."""

import re

from tests.integration.helpers import role_playbook


def test_role_prints_progress_and_publishes_stats(sim, ansible):
    for _job in range(3):
        sim.add_job("aws", filter_values=["kms-prod"], duration=7, starts_when_seen=True)
    run = ansible.playbook(
        role_playbook(
            wait_for_sync_cloud="aws",
            wait_for_sync_filters={"kms": ["kms-prod"]},
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
    result = run.result("show result")["wait_for_sync_result"]
    assert result["summary"]["succeeded"] == 3 and result["timed_out"] is False and result["polls"] >= 3
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


def test_role_rejects_bad_survey_answers_by_name(sim, ansible):
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="aws", wait_for_sync_timeout="soon"))
    assert run.rc == 2 and "wait_for_sync_timeout" in run.output and "numbers of seconds" in run.output
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="gcp"))
    assert run.rc == 2 and "wait_for_sync_cloud" in run.output and "aws, azure, google" in run.output
    run = ansible.playbook(role_playbook(wait_for_sync_cloud="aws", wait_for_sync_filters={"kmss": ["a"]}))
    assert run.rc == 2 and "wait_for_sync_filters must be a dict whose keys are kms" in run.output


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
