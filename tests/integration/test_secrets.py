"""No secret in any output: every module and the role at -vvvv, succeeding and failing, directly and
through ansible-runner. Also: one login per module run, however long it waits.

The scan looks for the password, a wrong password tried, every refresh token and every JWT the
simulator issued, in stdout, stderr, the Ansible log file and every file the run left behind.
"""

from __future__ import annotations

import os
import time

import pytest
import yaml

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from tests.integration.helpers import RUNNER_ENV_DUMP, private_data_dir, run_runner, scan_for_secrets

WRONG_PASSWORD = "Wrong-Secret-Password-77"

EVERYTHING = """
- hosts: localhost
  gather_facts: false
  vars:
    clouds: %(clouds)s
    # far from the tasks: ansible-core quotes the playbook lines around a failed task, literals and all
    wrong_password: "%(wrong)s"
  tasks:
    - name: info
      ansible.builtin.include_tasks: info_task.yml
      loop: "{{ clouds }}"
      loop_control:
        loop_var: cloud

    - name: wait that renews its token
      ciphertrust.cckm.sync_job_wait:
        cloud: aws
        scope: custom_key_stores
        id: ["%(long_job)s"]
        poll_interval: 0.5
        max_poll_interval: 0.5

    - name: wait that fails
      ciphertrust.cckm.sync_job_wait:
        cloud: azure
        id: ["%(failed_job)s"]
        poll_interval: 0.5
      ignore_errors: true

    - name: start and wait
      ciphertrust.cckm.sync_job:
        cloud: oci
        vaults: [vault-secret-scan]
        wait: true
        poll_interval: 0.5
        max_poll_interval: 0.5
        progress_interval: 1

    - name: cancel
      ciphertrust.cckm.sync_job:
        cloud: sap
        state: cancelled
        id: ["%(cancel_job)s"]

    - name: schedule run now
      ciphertrust.cckm.sync_schedule:
        name: secret-scan
        cloud: google
        key_rings: [ring-secret-scan]
        run_at: "0 2 * * *"
        run_now: true
      diff: true

    - name: schedules
      ciphertrust.cckm.sync_schedule_info:

    - name: schedule refused
      ciphertrust.cckm.sync_schedule:
        name: secret-scan
        cloud: aws
        kms: [kms-secret-scan]
        run_at: "0 2 * * *"
      ignore_errors: true

    - name: fleet status that fails on its verdicts
      ciphertrust.cckm.sync_status:
        fail_when: [never]
      ignore_errors: true

    - name: fleet report
      ansible.builtin.include_role:
        name: ciphertrust.cckm.sync_report
      vars:
        sync_report_dir: "{{ playbook_dir }}/report"
        sync_report_clouds: [aws, azure]

    - name: wrong password
      ciphertrust.cckm.google_sync_job_info:
        password: "{{ wrong_password }}"
      ignore_errors: true

    - name: revoked refresh token
      ciphertrust.cckm.oci_sync_job_info:
        username: ""
        password: ""
        refresh_token: "%(revoked)s"
      ignore_errors: true

    - name: role that succeeds
      ansible.builtin.include_role:
        name: ciphertrust.cckm.wait_for_sync
      vars:
        wait_for_sync_cloud: sap
        wait_for_sync_poll_interval: 1
        wait_for_sync_progress_interval: 1

    - name: role that fails
      block:
        - name: role that fails
          ansible.builtin.include_role:
            name: ciphertrust.cckm.wait_for_sync
          vars:
            wait_for_sync_cloud: azure
            wait_for_sync_job_ids: ["%(failed_job)s"]
      rescue:
        - name: the role failed and said why
          ansible.builtin.assert:
            that: wait_for_sync_result.failed
"""

# One info call per cloud of the clouds table; Salesforce lists a scope other than its default.
INFO_SCOPES = {name: ("certificates" if name == "sfdc" else cloud.default_scope) for name, cloud in CLOUDS.items()}
INFO_TASK = "".join(
    '- name: "list {{ cloud }}"\n  ciphertrust.cckm.%s_sync_job_info: %s\n  when: cloud == %r\n'
    % (name, "{}" if scope == CLOUDS[name].default_scope else "{scope: %s}" % scope, name)
    for name, scope in INFO_SCOPES.items()
)

# Module runs in EVERYTHING that log in with the password: an info call per cloud, 2 waits, 2 sync_job, 3 schedule
# tasks, sync_status, 3 roles.
PASSWORD_RUNS = len(CLOUDS) + 11


# Through ansible-runner, what differs is where things land (job events, stdout, artifacts); what a module returns is
# the same as at -vvvv above, so the runner runs the tasks that hold a secret in flight: token renewals, failures, a
# start, the report role's files, a wrong password given as a module argument, a revoked refresh token.
RUNNER_TASKS = (
    "wait that renews its token",
    "wait that fails",
    "start and wait",
    "fleet report",
    "wrong password",
    "revoked refresh token",
    "role that fails",
)
RUNNER_PASSWORD_RUNS = 5  # the two waits, the start, the report's sync_status, the role's wait


def prepare(sim, folder):
    """Jobs, short-lived tokens and a revoked refresh token; writes the playbook into ``folder``."""
    sim.jwt_lifetime = 2.0  # the 6 s wait renews its token at least twice
    for cloud, scope in INFO_SCOPES.items():
        sim.add_job(cloud, scope, created=time.time() - 60)
    revoked = sim.issue_tokens(sim.username, with_refresh=True)["refresh_token"]
    sim.revoke_refresh_tokens()
    long_job = sim.add_job("aws", "custom_key_stores", duration=6, starts_when_seen=True).id  # no info call lists it
    failed_job = sim.add_job("azure", duration=0, outcome="failed").id
    cancel_job = sim.add_job("sap", duration=600, created=time.time() - 120).id
    sim.starting.duration = 2.0
    sim.starting.cancel_settle = 0.0  # stopped before the role that succeeds watches sap
    sim.inject("expire_tokens", match="list", after=3)  # one forced renewal on a 401 too
    (folder / "info_task.yml").write_text(INFO_TASK)
    text = EVERYTHING % {
        "clouds": "[%s]" % ", ".join(INFO_SCOPES),
        "long_job": long_job,
        "failed_job": failed_job,
        "cancel_job": cancel_job,
        "wrong": WRONG_PASSWORD,
        "revoked": revoked,
    }
    (folder / "everything.yml").write_text(text)
    return folder / "everything.yml"


def files_under(folder, skip=()):
    for base, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(base, name)
            if path not in skip:
                yield path


def assert_sessions(sim, password_runs=PASSWORD_RUNS):
    stats = sim.stats()
    assert stats["logins"] == password_runs, "one login per module run: %s" % stats
    assert stats["refreshes"] >= 2 and stats["unauthorized"] >= 1, stats
    assert stats["login_failures"] == 1 and stats["refresh_failures"] == 1, stats


def test_every_module_and_the_role_at_vvvv_leak_nothing(sim, ansible, tmp_path):
    playbook = prepare(sim, tmp_path)
    log = tmp_path / "ansible.log"
    run = ansible.playbook_file(str(playbook), "-vvvv", ANSIBLE_LOG_PATH=str(log), timeout=300)
    assert run.rc == 0, run.output
    failures = [r for r in run.records if r["status"] == "failed"]
    assert {"wait that fails", "wrong password", "revoked refresh token", "schedule refused"} <= {r["task"] for r in failures}
    assert len([r for r in failures if r["action"] == "ciphertrust.cckm.sync_job_wait"]) == 2, "the role failed too"
    secrets = sim.secrets_issued() + [WRONG_PASSWORD]
    assert len(secrets) > PASSWORD_RUNS + 3
    hits = [("output", secret[:6]) for secret in secrets if secret in run.output]
    scanned = 0
    for path in files_under(tmp_path, skip=(str(playbook),)):  # the playbook holds the wrong password on purpose
        scanned += 1
        with open(path, errors="replace") as handle:
            text = handle.read()
        hits += [(path, secret[:6]) for secret in secrets if secret in text]
    assert log.exists() and scanned >= 3  # the task file, the log and the recorded results
    assert hits == [], hits
    assert_sessions(sim)


@pytest.mark.tools
def test_every_module_and_the_role_through_ansible_runner_leak_nothing(sim, tmp_path):
    pdd = private_data_dir(tmp_path, sim, {"survey_answer": "unused"})
    (play,) = yaml.safe_load(prepare(sim, pdd / "project").read_text())
    play["tasks"] = [task for task in play["tasks"] if task["name"] in RUNNER_TASKS]
    assert len(play["tasks"]) == len(RUNNER_TASKS)
    (pdd / "project" / "job.yml").write_text(yaml.safe_dump([play], sort_keys=False))
    proc = run_runner(pdd, "secrets", "-vvvv")
    assert (pdd / "artifacts" / "secrets" / "status").read_text() == "successful", proc.stdout[-3000:]
    secrets = sim.secrets_issued() + [WRONG_PASSWORD]
    hits, scanned = scan_for_secrets(pdd, secrets)
    hits += [("runner stdout", secret[:6]) for secret in secrets if secret in proc.stdout + proc.stderr]
    assert scanned > 20 and hits == [], hits
    assert os.path.exists(pdd / "artifacts" / "secrets" / RUNNER_ENV_DUMP)
    assert_sessions(sim, RUNNER_PASSWORD_RUNS)
