"""The example playbooks in docs/examples run as documented against the simulator."""

import datetime
import os
import re
import subprocess
import threading

import pytest

from tests.integration.conftest import ROOT
from tests.integration.helpers import wait_for
from tests.simulator.seed import seed_demo

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
    assert all(re.fullmatch(r"\w+: 1 succeeded after [\d.]+ s", r["msg"]) for r in reports), [r["msg"] for r in reports]


@EVERY_CORE
def test_role_with_module_defaults_and_no_cm_variables_in_the_module_env(sim, ansible):
    sim.add_job("azure", filter_values=["keyvault-softkeys"], duration=4, starts_when_seen=True)
    run = run_example(ansible, "role_with_module_defaults.yml")
    assert run.rc == 0, run.output
    assert run.result("Use the result")["msg"].startswith("1 job(s) succeeded")


def test_the_status_report_of_every_cloud(sim, ansible):
    """docs/examples/sync_status_report.yml: a line a cloud, the errors of every cloud, the wait for the AWS job running."""
    seed_demo(sim, running_for=3)
    run = run_example(ansible, "sync_status_report.yml")
    assert run.rc == 0, run.output[-3000:]
    assert "WARNING" not in run.output
    lines = run.result("Show the status of every cloud")["msg"]
    assert [line.split()[0] for line in lines] == ["aws", "azure", "google", "oci", "sap", "sfdc", "luna"], lines
    assert all(re.search(r"^\w+ +\d+ jobs \|( \d+ [a-z_]+)+ \| newest \w{8} is \w+$", line) for line in lines), lines
    errors = run.result("Show the errors CM reported for partial and failed jobs, in every cloud")["msg"]
    # every cloud's failed and partial jobs, each target with its own error once
    assert {line.split()[0] for line in errors} == {"aws", "azure", "google", "oci", "sap", "sfdc", "luna"}, errors
    assert all(re.search(r"^\w+ +\w{8} (failed|partial): [\w./-]+: Error", line) for line in errors), errors
    assert "AWS synchronization finished after" in run.result("Show how the wait ended")["msg"]


def test_make_demo_writes_the_report_of_a_fleet_with_every_verdict():
    """What `make demo` runs (tests/demo.py): its own simulator holding a fleet, the sync_report role, the paths."""
    import sys

    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tests", "demo.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "WARNING" not in proc.stdout + proc.stderr and "failed=0" in proc.stdout
    paths = dict(re.findall(r"^  (page|summary|metrics) +(/\S+)$", proc.stdout, re.M))
    assert set(paths) == {"page", "summary", "metrics"}, proc.stdout[-2000:]
    page = open(paths["page"]).read()
    counts = {verdict: int(n) for verdict, n in re.findall(r'<li data-verdict="(\w+)"><b>(\d+)</b>', page)}
    assert sorted(v for v, n in counts.items() if n) == ["failing", "never", "ok", "running", "stale"], counts
    assert "kms-payments" in page and "Needs attention" in page
    assert "cckm_sync_in_sync 0" in open(paths["metrics"]).read()
    assert "What to try next:" in proc.stdout and "make simulator" in proc.stdout
    # the targets that need attention, most severe first, as lines a person reads
    listed = [line for line in proc.stdout.splitlines() if re.match(r'^ +"(failing|never|stale) ', line)]
    verdicts = [line.split('"')[1].split()[0] for line in listed]
    assert verdicts == sorted(verdicts, key=["failing", "never", "stale"].index) and len(set(verdicts)) == 3, listed


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


def header_commands(name):
    """The commands an example's header comment gives, as written there."""
    with open(os.path.join(EXAMPLES, name)) as handle:
        comments = [line.lstrip("#").strip() for line in handle if line.startswith("#")]
    return [line for line in comments if line.startswith("ansible-playbook ")]


def test_nightly_azure_sync_header_commands_run_as_written(sim, ansible):
    """Each command of the header, pasted in a shell: declare, another run_at, wait for the next run (the simulator's
    clock is moved to it instead of waiting), check mode, remove; no FAILED - RETRYING, nothing left behind."""
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.cron import parse_cron

    sim.scheduler.settings.fire = True  # the simulator runs due schedules, as CM does
    sim.starting.duration = 2.0
    commands = header_commands("nightly_azure_sync.yml")
    assert len(commands) == 7, commands

    def configs():
        return list(sim.scheduler.configs.values())

    def the_run_comes(run_at):  # CM's clock moves to the run's due time once the schedule says run_at
        if wait_for(lambda: [c for c in configs() if c["run_at"] == run_at], timeout=60, step=0.1):
            now = datetime.datetime.fromtimestamp(sim.clock(), datetime.timezone.utc)
            sim.advance((parse_cron("run_at", run_at).next_after(now) - now).total_seconds() + 1)

    utc = datetime.timezone.utc
    outputs = []
    for command in commands:
        run_at = re.search(r"nightly_run_at='([^']*)'", command)
        run_at = run_at.group(1) if run_at else "0 2 * * *"
        writes = len(sim.scheduler.writes)
        started = datetime.datetime.now(utc)
        clock = threading.Thread(target=the_run_comes, args=(run_at,), daemon=True)
        if "nightly_wait=true" in command:
            clock.start()
        proc = ansible.shell(command, cwd=ROOT, timeout=240)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, command + "\n" + output[-3000:]
        assert "RETRYING" not in output and "WARNING" not in output, output[-3000:]
        said = re.findall(r'"msg": "(.*)"', proc.stdout)
        outputs.append(said)
        if "--check" in command:
            assert sim.scheduler.writes[writes:] == [] and "Check mode: nothing was written" in said[0], said
        elif "nightly_state=absent" in command:
            assert said == ["Schedule nightly-azure-vaults was removed."] and configs() == [], said
        else:
            (config,) = configs()
            assert config["run_at"] == run_at and config["params"] == {"cloud_name": "AzureCloud", "synchronize_all": True}
            # the next run as of some moment of the command (a minute may turn while it runs)
            cron = parse_cron("run_at", run_at)
            dues = {cron.next_after(moment).strftime("%Y-%m-%dT%H:%M:%SZ") for moment in (started, datetime.datetime.now(utc))}
            assert re.search(r"it runs next at (\S+) \(UTC\)", said[0]).group(1) in dues, (said, dues)
        if "nightly_wait=true" in command:
            clock.join(timeout=70)
            ran = [run["job"].id for run in sim.scheduler.runs]
            assert said[-1].startswith("The run of nightly-azure-vaults due at ") and "started job %s" % ran[0] in said[-1], said
            assert said[-1].endswith(": succeeded."), said
        else:
            assert len(said) == 1, "nothing waited for: " + repr(said)
