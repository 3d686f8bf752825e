"""The wait_for_sync role run through ansible-runner as AWX feeds it: credential values in
env/envvars, survey answers as !unsafe strings in env/extravars. Asserts on the artifacts."""

import json
import time

import pytest

from tests.integration.helpers import RUNNER_ENV_DUMP, private_data_dir, run_runner, runner_events, runner_stats, scan_for_secrets

pytestmark = pytest.mark.tools


SURVEY = {
    "wait_for_sync_cloud": "aws",
    "wait_for_sync_scope": "",
    "wait_for_sync_job_ids": "",
    "wait_for_sync_timeout": "120",
    "wait_for_sync_poll_interval": "1",
    "wait_for_sync_fail_on": "failed,cancelled",
    "wait_for_sync_progress_interval": "2",
}


@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_role_through_ansible_runner_like_awx(sim, tmp_path, check):
    jobs = [sim.add_job("aws", filter_values=["kms-prod"], duration=6, starts_when_seen=True).id for _job in range(2)]
    sim.add_job("aws", created=time.time() - 3600)
    pdd = private_data_dir(tmp_path, sim, SURVEY)
    if check:
        (pdd / "env" / "cmdline").write_text("--check")  # what a job template with "Check" job type passes
    proc = run_runner(pdd, "job1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (pdd / "artifacts" / "job1" / "status").read_text() == "successful"
    argv = json.loads((pdd / "artifacts" / "job1" / RUNNER_ENV_DUMP).read_text())["command"]
    assert ("--check" in argv) is check

    found = runner_events(pdd, "job1")
    progress = [e for e in found if "waiting for aws keys synchronization" in e.get("stdout", "")]
    assert progress, "progress lines reach the job events while waiting"
    result = runner_stats(pdd, "job1")["wait_for_sync_result"]
    assert sorted(job["id"] for job in result["sync_jobs"]) == sorted(jobs)
    assert result["summary"]["succeeded"] == 2 and result["timed_out"] is False and result["failed"] is False

    hits, scanned = scan_for_secrets(pdd, sim.secrets_issued())
    assert scanned > 10 and hits == []
    assert sim.stats()["logins"] == 1


def test_failed_sync_through_ansible_runner_fails_the_job_and_leaks_nothing(sim, tmp_path):
    sim.add_job("aws", duration=1, outcome="failed")
    pdd = private_data_dir(tmp_path, sim, dict(SURVEY, wait_for_sync_fail_on="failed"))
    proc = run_runner(pdd, "job2")
    assert proc.returncode != 0
    assert (pdd / "artifacts" / "job2" / "status").read_text() == "failed"
    stats = runner_stats(pdd, "job2")
    assert stats["wait_for_sync_result"]["failed"] is True and "is failed" in stats["wait_for_sync_result"]["msg"]
    hits, _scanned = scan_for_secrets(pdd, sim.secrets_issued())
    assert hits == []
