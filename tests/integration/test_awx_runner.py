"""The wait_for_sync role run through ansible-runner as AWX feeds it: credential values in
env/envvars, survey answers as !unsafe strings in env/extravars. Asserts on the artifacts."""

import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest

from tests.integration.conftest import ROOT

BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.tools
# ansible-runner writes its whole process environment, env/envvars included, into
# artifacts/<ident>/command (mode 0600, not published by AWX): the one file the scan may not read.
RUNNER_ENV_DUMP = "command"


def private_data_dir(tmp_path, sim, extravars):
    pdd = tmp_path / "pdd"
    (pdd / "env").mkdir(parents=True)
    (pdd / "project").mkdir()
    (pdd / "inventory").mkdir()
    shutil.copy(os.path.join(ROOT, "docs", "awx", "wait_for_sync_job_template.yml"), pdd / "project" / "job.yml")
    (pdd / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable
    )
    envvars = {
        "CM_ADDRESS": sim.address,
        "CM_USERNAME": sim.username,
        "CM_PASSWORD": sim.password,
        "CM_CA_CERT": sim.ca_file,
        "CM_DOMAIN": "",
        "CM_REFRESH_TOKEN": "",
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(ROOT, ".build", "collections"),
    }
    (pdd / "env" / "envvars").write_text(json.dumps(envvars))
    (pdd / "env" / "extravars").write_text("".join("%s: !unsafe '%s'\n" % item for item in extravars.items()))
    return pdd


def run_runner(pdd, ident, *extra):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    for key in [k for k in env if k.startswith("CM_")]:
        del env[key]  # only what AWX injects
    return subprocess.run(
        [os.path.join(BIN, "ansible-runner"), "run", str(pdd), "-p", "job.yml", "--ident", ident, *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=240,
    )


def events(pdd, ident):
    folder = pdd / "artifacts" / ident / "job_events"
    return [json.loads(path.read_text()) for path in sorted(folder.iterdir())]


def scan_for_secrets(pdd, secrets):
    """Every file under artifacts/ but the runner's environment dump; returns (hits, files scanned)."""
    hits, scanned = [], 0
    for folder, _dirs, files in os.walk(pdd / "artifacts"):
        for name in files:
            path = os.path.join(folder, name)
            if name == RUNNER_ENV_DUMP:
                assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
                continue
            scanned += 1
            with open(path, errors="replace") as handle:
                text = handle.read()
            hits += [(path, secret[:6]) for secret in secrets if secret in text]
    return hits, scanned


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

    found = events(pdd, "job1")
    progress = [e for e in found if "waiting for aws keys synchronization" in e.get("stdout", "")]
    assert progress, "progress lines reach the job events while waiting"
    stats = [e for e in found if e["event"] == "playbook_on_stats"][0]["event_data"]["artifact_data"]
    result = stats["wait_for_sync_result"]
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
    stats = [e for e in events(pdd, "job2") if e["event"] == "playbook_on_stats"][0]["event_data"]["artifact_data"]
    assert stats["wait_for_sync_result"]["failed"] is True and "is failed" in stats["wait_for_sync_result"]["msg"]
    hits, _scanned = scan_for_secrets(pdd, sim.secrets_issued())
    assert hits == []
