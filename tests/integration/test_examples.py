"""The example playbooks in docs/examples run as documented against the simulator."""

import os
import re
import threading

import pytest

from tests.integration.conftest import ROOT
from tests.integration.helpers import wait_for

# The controller side of this path differs between ansible-core versions: make test runs it on the newest too.
# The examples whose controller side differs between cores (async, loops, roles, module_defaults) run on the
# newest core too (every_core); make test-matrix runs them all on every core.
EVERY_CORE = pytest.mark.every_core

EXAMPLES = os.path.join(ROOT, "docs", "examples")


def run_example(ansible, name, *args, **env):
    return ansible.playbook_file(os.path.join(EXAMPLES, name), *args, **env)


@pytest.mark.parametrize("form", ["host:port", "https URL"])
def test_wait_after_external_sync(sim, ansible, form):
    address = sim.address if form == "host:port" else "https://%s/" % sim.address
    run = run_example(ansible, "wait_after_external_sync.yml", "-e", "cm_kms=kms-ex", CM_ADDRESS=address)
    assert run.rc == 0, run.output
    started = run.result("Start the synchronization")["json"]
    assert started["kms"] == ["kms-ex"]
    wait = run.result("Wait for that job")
    assert wait["sync_jobs"][0]["id"] == started["id"] and wait["sync_jobs"][0]["state"] == "succeeded"
    assert sim.stats()["start"] == 1
    for secret in sim.secrets_issued():
        assert secret not in run.output


@EVERY_CORE
def test_wait_several_clouds_in_parallel(sim, ansible):
    jobs = [sim.add_job(cloud, duration=3600, starts_when_seen=True) for cloud in ("aws", "azure", "google")]
    released = []

    def the_clouds_answer_once_every_wait_has_read_its_job():
        # One after another, the second wait would read its job only after the first job ended: never, here.
        every_job_seen = wait_for(lambda: all(job.seen_at is not None for job in jobs), timeout=60)
        released.append(every_job_seen)
        with sim.lock:
            for job in jobs:
                job.finish(sim.clock())

    clouds = threading.Thread(target=the_clouds_answer_once_every_wait_has_read_its_job, daemon=True)
    clouds.start()
    run = run_example(ansible, "wait_several_clouds.yml")
    clouds.join(timeout=70)
    assert released == [True], "waited one after another, not together"
    assert run.rc == 0, run.output
    assert "WARNING" not in run.output, "no warning on any ansible-core (2.16 warned on a non-boolean until)"
    reports = [r for r in run.records if r["task"] == "Report every cloud"][0]["result"]["results"]
    assert [r["item"]["item"]["item"]["cloud"] for r in reports] == ["aws", "azure", "google"]
    assert all(r["item"]["summary"]["succeeded"] == 1 for r in reports)


@EVERY_CORE
def test_role_with_module_defaults_and_no_cm_variables_in_the_module_env(sim, ansible):
    sim.add_job("azure", filter_values=["keyvault-softkeys"], duration=4, starts_when_seen=True)
    run = run_example(ansible, "role_with_module_defaults.yml")
    assert run.rc == 0, run.output
    assert run.result("Use the result")["msg"].startswith("1 job(s) succeeded")


@pytest.mark.parametrize("newest", ["running", "failed long ago"])
def test_make_demo_runs_the_status_report(newest):
    """What `make demo` runs: its own simulator, seeded; the report passes even when the newest AWS job failed."""
    import subprocess
    import sys

    env = dict(os.environ, CCKM_DEMO_RUNNING_FOR="3" if newest == "running" else "0")
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tests", "demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "AWS synchronization finished after" in proc.stdout and "failed=0" in proc.stdout
    assert "WARNING" not in proc.stdout + proc.stderr
    # the failed job's error names each of its targets once, not one message twice
    errors = [line for line in proc.stdout.splitlines() if " failed: " in line and '"msg"' in line]
    assert errors and all(re.search(r"failed: [\w.-]+: Error synchronizing", line) for line in errors), errors
    assert not any(line.count("connection to the cloud failed") > line.count(": Error synchronizing") for line in errors)


def test_start_and_wait_starts_once_and_reuses_while_running(sim, ansible):
    sim.starting.duration = 2.0
    run = run_example(ansible, "start_and_wait.yml", "-e", '{"cckm_kms": ["kms-prod", "kms-dr"]}')
    assert run.rc == 0, run.output
    assert sim.start_bodies[0]["body"] == {"kms": ["kms-prod", "kms-dr"]} and len(sim.start_bodies) == 1
    assert run.result("Report")["msg"].startswith("Started job ") and "succeeded after" in run.result("Report")["msg"]
    running = sim.add_job("aws", filter_values=["kms-prod"], duration=3, starts_when_seen=True)
    again = run_example(ansible, "start_and_wait.yml")
    assert again.rc == 0, again.output
    assert again.result("Report")["msg"].startswith("Reused running job %s: succeeded" % running.id)
    assert len(sim.start_bodies) == 1, "the second run started nothing"


@EVERY_CORE
def test_nightly_azure_sync_waits_for_tonights_run(sim, ansible):
    sim.scheduler.settings.fire = True  # the simulator runs due schedules, as CM does
    sim.starting.duration = 2.0

    def a_minute_passes_once_the_schedule_exists():  # instead of waiting for the next minute
        if wait_for(lambda: sim.scheduler.configs, timeout=120, step=0.1):
            sim.advance(61)
            # one run: a '* * * * *' schedule would run again each minute a slow machine takes
            wait_for(lambda: sim.scheduler.runs, timeout=10, step=0.1)
            sim.scheduler.settings.fire = False

    clock = threading.Thread(target=a_minute_passes_once_the_schedule_exists, daemon=True)
    clock.start()
    run = run_example(ansible, "nightly_azure_sync.yml", "-e", "nightly_run_at='* * * * *' nightly_poll_delay=1", timeout=300)
    clock.join(timeout=130)
    assert run.rc == 0, run.output[-3000:]
    (create,) = [w for w in sim.scheduler.writes if w["method"] == "POST"]
    assert create["body"]["cckm_synchronization_params"] == {"cloud_name": "AzureCloud", "synchronize_all": True}
    (ran,) = sim.scheduler.runs
    assert ran["createdAt"][:16] >= run.result("A nightly")["schedule"]["next_run_at"][:16]
    assert "Tonight's run of nightly-azure-vaults started" in run.result("Report")["msg"]
    assert [j["id"] for j in run.result("Wait for tonight")["sync_jobs"]] == [ran["job"].id]


def test_nightly_azure_sync_in_check_mode_says_what_would_happen_and_waits_for_nothing(sim, ansible):
    run = run_example(ansible, "nightly_azure_sync.yml", "--check")
    assert run.rc == 0, run.output[-3000:]
    assert sim.scheduler.writes == []
    message = run.result("Say what check mode did")["msg"]
    assert "schedule nightly-azure-vaults would be created or changed (next run 20" in message, message
    assert "T02:00:00Z UTC); nothing was written and nothing waited for" in message


def test_nightly_azure_sync_says_what_it_waited_for_when_no_run_comes(sim, ansible):
    # The scheduler does not fire (sim.scheduler.settings.fire is off): the run never starts.
    run = run_example(ansible, "nightly_azure_sync.yml", "-e", "nightly_poll_delay=1 nightly_max_polls=2", timeout=120)
    assert run.rc == 2
    message = run.result("Say what was being waited for")["msg"]
    assert message.startswith("No run of schedule nightly-azure-vaults started at or after 20"), message
    assert "Check that the schedule is enabled on CipherTrust Manager and that its scheduler runs" in message
