"""The example rulebook run by the real ansible-rulebook against the simulator: a failed sync runs the
report playbook exactly once, a finished one prints a line, and nothing leaks a secret."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.integration.helpers import BIN, ROOT

pytestmark = pytest.mark.tools  # ansible-rulebook is in the main virtualenv only
RULEBOOK = os.path.join(ROOT, "extensions", "eda", "rulebooks", "cckm_sync_jobs.yml")


def test_a_failed_sync_runs_the_report_playbook_once_and_a_finished_one_prints_a_line(sim, ansible, tmp_path):
    assert shutil.which("java"), "ansible-rulebook needs a Java 17+ runtime (.ci/run installs openjdk-17-jre-headless)"
    sim.add_job("aws", outcome="failed", created=time.time() - 600)  # failed before the source started: not reported
    failed = sim.add_job("aws", duration=600, outcome="failed")
    succeeded = sim.add_job("aws", duration=600)
    report = tmp_path / "reports.jsonl"
    (tmp_path / "vars.yml").write_text(
        "cckm_clouds: aws\ncckm_interval: 0.5\ncckm_report_file: %s\ncckm_checkpoint: %s\n"
        % (report, tmp_path / "checkpoint.json")
    )
    (tmp_path / "inventory.yml").write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: %s\n" % sys.executable
    )
    env = dict(ansible.env(), PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    argv = [
        os.path.join(BIN, "ansible-rulebook"),
        "-r",
        RULEBOOK,
        "-i",
        str(tmp_path / "inventory.yml"),
        "--vars",
        str(tmp_path / "vars.yml"),
        "-E",
        "CM_ADDRESS,CM_USERNAME,CM_PASSWORD,CM_CA_CERT",
    ]
    log = tmp_path / "rulebook.log"
    with open(log, "w") as output:
        rulebook = subprocess.Popen(
            argv, env=env, cwd=str(tmp_path), stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not checkpoint_lists(tmp_path, failed.id) and rulebook.poll() is None:
            time.sleep(0.2)  # the source has seen both jobs running
        assert checkpoint_lists(tmp_path, failed.id), log.read_text()[-3000:]
        ended = time.time()
        failed.duration = ended - failed.created  # both jobs end now
        succeeded.duration = ended - succeeded.created
        while time.monotonic() < deadline and not (report.exists() and "ended succeeded" in log.read_text()):
            time.sleep(0.2)
        time.sleep(3)  # several more polls: nothing may run twice
    finally:
        os.killpg(rulebook.pid, signal.SIGTERM)
        try:
            rulebook.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(rulebook.pid, signal.SIGKILL)
            rulebook.wait(timeout=30)
    output = log.read_text()
    assert report.exists(), output[-3000:]
    reports = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["id"] for r in reports] == [failed.id], "the report playbook ran exactly once, for the failed job"
    assert reports[0]["errors"][0]["message"] == "Error synchronizing: connection to the cloud failed"
    assert "CCKM aws keys synchronization %s ended succeeded" % succeeded.id in output
    fired = debug_time(output, succeeded.id)
    assert fired - ended <= 0.5 + 2, "rule fired %.2f s after the job's end; at most interval + 2 s" % (fired - ended)
    for secret in sim.secrets_issued():
        assert secret not in output


def checkpoint_lists(folder, job_id):
    try:
        return job_id in json.loads((folder / "checkpoint.json").read_text())["watches"]["aws/keys"]["running"]
    except (OSError, ValueError, KeyError):
        return False


def debug_time(output, job_id):
    """When ansible-rulebook's debug action fired for ``job_id`` (it prints ``** <local time> [debug] ***``)."""
    import datetime
    import re

    stamps = re.findall(r"\*\* (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \[debug\][^\n]*\n[^\n]*%s" % job_id, output)
    assert stamps, output[-3000:]
    return datetime.datetime.strptime(stamps[0], "%Y-%m-%d %H:%M:%S.%f").timestamp()
