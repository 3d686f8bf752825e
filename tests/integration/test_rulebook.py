"""The example rulebooks run by the real ansible-rulebook against the simulator: a failed sync runs the
report playbook exactly once, a finished one prints a line; a stale target is resynchronized once by
the resync playbook and reported fresh again; and nothing leaks a secret."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from tests.integration.helpers import STALE_RULEBOOK, checkpoint_running, debug_fired_at, running_rulebook, wait_for

pytestmark = pytest.mark.tools  # ansible-rulebook is in the main virtualenv only


def test_a_failed_sync_runs_the_report_playbook_once_and_a_finished_one_prints_a_line(sim, ansible, tmp_path):
    assert shutil.which("java"), "ansible-rulebook needs a Java 17+ runtime (.ci/run installs openjdk-17-jre-headless)"
    sim.add_job("aws", outcome="failed", created=time.time() - 600)  # failed before the source started: not reported
    failed = sim.add_job("aws", duration=600, outcome="failed")
    succeeded = sim.add_job("aws", duration=600)
    report, checkpoint = tmp_path / "reports.jsonl", tmp_path / "checkpoint.json"
    rulebook_vars = {
        "cckm_clouds": "aws",
        "cckm_interval": 0.5,
        "cckm_report_file": str(report),
        "cckm_checkpoint": str(checkpoint),
    }
    with running_rulebook(tmp_path, ansible.env(), rulebook_vars) as log:
        seen = wait_for(lambda: failed.id in checkpoint_running(checkpoint, "aws/keys"), 90)
        assert seen, log.read_text()[-3000:]  # the source has seen both jobs running
        ended = time.time()
        failed.duration = ended - failed.created  # both jobs end now
        succeeded.duration = ended - succeeded.created
        wait_for(lambda: report.exists() and "ended succeeded" in log.read_text(), 60)
        time.sleep(3)  # several more polls: nothing may run twice
    output = log.read_text()
    assert report.exists(), output[-3000:]
    reports = [json.loads(line) for line in report.read_text().splitlines()]
    assert [r["id"] for r in reports] == [failed.id], "the report playbook ran exactly once, for the failed job"
    assert reports[0]["errors"][0]["message"] == "Error synchronizing: connection to the cloud failed"
    assert "CCKM aws keys synchronization %s ended succeeded" % succeeded.id in output
    fired = debug_fired_at(output, succeeded.id)
    assert fired is not None and fired - ended <= 0.5 + 2, "rule fired %s s after the job's end; at most interval + 2 s" % (
        fired and round(fired - ended, 2)
    )
    for secret in sim.secrets_issued():
        assert secret not in output


def test_a_stale_target_is_resynchronized_once_and_reported_fresh_again(sim, ansible, tmp_path):
    now = time.time()
    sim.add_target("aws", "kms-stale")
    sim.add_target("aws", "kms-ok")
    sim.add_job("aws", filter_values=["kms-stale"], created=now - 3 * 86400)  # its last success: 3 days ago
    sim.add_job("aws", filter_values=["kms-ok"], created=now - 3600)
    sim.starting.polls = 2  # the resync's job ends at its third read
    checkpoint = tmp_path / "checkpoint.json"
    rulebook_vars = {"cckm_clouds": "aws", "cckm_interval": 0.5, "cckm_max_age": "24h", "cckm_checkpoint": str(checkpoint)}
    fresh = "CCKM aws keys kms-stale synchronized again at"
    with running_rulebook(tmp_path, ansible.env(), rulebook_vars, rulebook=STALE_RULEBOOK) as log:
        wait_for(lambda: fresh in log.read_text(), 120)
        time.sleep(3)  # several more polls: no second stale event, no second start
    output = log.read_text()
    assert fresh in output, output[-3000:]
    starts = [start["body"] for start in sim.start_bodies]
    assert starts == [{"kms": ["kms-stale"]}], starts  # the stale target only, once
    assert "Resynchronize a stale CCKM target" in output and "failed=0" in output, output[-3000:]
    assert output.count(fresh) == 1
    for secret in sim.secrets_issued():
        assert secret not in output
