"""The role sync_report through ansible-playbook, and its page opened in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from tests.integration.helpers import ROOT
from tests.simulator.families import LISTED
from tests.simulator.seed import FLEET_VERDICTS, seed_fleet

ARTIFACTS = os.path.join(ROOT, "tests", "output", "sync_report")


def report_playbook(report_dir, **role_vars):
    lines = "".join("        %s: %s\n" % (key, value) for key, value in role_vars.items())
    return (
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: report\n      ansible.builtin.include_role:\n        name: ciphertrust.cckm.sync_report\n"
        "      vars:\n        sync_report_dir: %s\n%s"
        "    - name: status\n      ansible.builtin.debug:\n        var: sync_report_status.counts\n" % (report_dir, lines)
    )


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def test_the_role_writes_the_page_and_the_summary_and_fails_after_writing_them(sim, ansible, tmp_path):
    seed_fleet(sim)
    run = ansible.playbook(report_playbook(tmp_path / "report"))
    assert run.rc == 0, run.output[-3000:]
    page = (tmp_path / "report" / "index.html").read_text()
    summary = (tmp_path / "report" / "summary.md").read_text()
    assert page.count('<tr class="target"') == len(LISTED) * len(FLEET_VERDICTS)
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "| %d | %d | %d | %d | %d |" % ((len(LISTED),) * 5) in summary
    assert "aws-kms-never | never | never" in summary and "aws-kms-ok" not in summary
    gate = ansible.playbook(report_playbook(tmp_path / "gate", sync_report_clouds="aws", sync_report_fail_when="never,failing"))
    assert gate.rc == 2
    assert (tmp_path / "gate" / "index.html").exists(), "the report is written before the gate fails"
    assert "4 of 10 targets are never or failing: aws keys aws-kms-failing: failing, last job" in gate.output, gate.output[-3000:]


def test_the_page_renders_in_a_real_browser_with_every_row_and_a_bar_per_job(sim, ansible, tmp_path):
    assert chromium(), "Chromium is missing: .ci/run installs it (apt-get install chromium)"
    seed_fleet(sim)
    run = ansible.playbook(report_playbook(tmp_path / "report"))
    assert run.rc == 0, run.output[-3000:]
    page = tmp_path / "report" / "index.html"
    browser = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    dumped = subprocess.run(browser + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert len(re.findall(r'<tr class="target"', dom)) == len(LISTED) * len(FLEET_VERDICTS)
    # each scope's timeline: one <g class="job"> per job of the window (2 seeded per scope: the partial and the running)
    timelines = re.findall(r'<svg class="timeline".*?</svg>', dom, flags=re.S)
    assert len(timelines) == len(LISTED)
    assert all(len(re.findall(r'<g class="job"', svg)) == 2 for svg in timelines)
    # the partial job is one job with two outcomes: red on the target its error names, green on the other
    bars = re.findall(r'<rect class="bar" data-target="([^"]+)" data-outcome="([^"]+)"', dom)
    outcomes = {(target.rsplit("-", 1)[1], outcome) for target, outcome in bars}
    assert outcomes == {("failing", "failed"), ("ok", "succeeded"), ("running", "in_progress")}, outcomes
    console = [line for line in dumped.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line or "Failed to load" in line]
    assert console == [], console
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, "sync_report.png")
    taken = subprocess.run(
        browser + ["--window-size=1280,2400", "--hide-scrollbars", "--screenshot=%s" % shot, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert taken.returncode == 0 and os.path.getsize(shot) > 10000, taken.stderr[-2000:]


def test_a_cm_with_nothing_in_it_writes_a_page_that_says_nothing_was_checked_and_fails_the_gate(sim, ansible, tmp_path):
    run = ansible.playbook(report_playbook(tmp_path / "empty", sync_report_clouds="aws", sync_report_fail_when="stale"))
    assert run.rc == 2
    assert "No target found, so nothing was checked (fail_when: stale)" in run.output
    page = (tmp_path / "empty" / "index.html").read_text()
    assert "No target found: nothing was checked, so this is not in sync." in page and "<svg" not in page
    assert "**not in sync**: nothing was checked" in (tmp_path / "empty" / "summary.md").read_text()
