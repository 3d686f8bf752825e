"""The role sync_report through ansible-playbook: its page opened in a real browser (Debian's Chromium driven by
Playwright) at desktop and phone widths, its metrics read by real consumers (promtool, prometheus_client), the
next step it prints pasted into a shell."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

import pytest

from tests.integration.helpers import ROOT
from tests.simulator.families import LISTED
from tests.simulator.seed import FLEET_VERDICTS, seed_fleet

ARTIFACTS = os.path.join(ROOT, "tests", "output", "sync_report")
SEVERITY = ["failing", "never", "stale", "running"]
OUTCOME_COLOURS = {"succeeded": "#2da44e", "failed": "#cf222e", "in_progress": "#0969da"}
RINGS = ["projects/demo/locations/global/keyRings/ring-1", "projects/demo/locations/global/keyRings/ring-2"]
WIDTHS = {"desktop": 1400, "phone": 400}


def report_playbook(report_dir, **role_vars):
    lines = "".join("        %s: %s\n" % (key, value) for key, value in role_vars.items())
    return (
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: report\n      ansible.builtin.include_role:\n        name: ciphertrust.cckm.sync_report\n"
        "      vars:\n        sync_report_dir: %s\n%s"
        "    - name: status\n      ansible.builtin.debug:\n        var: sync_report_status\n" % (report_dir, lines)
    )


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def seed_report_fleet(sim):
    """Every verdict on every scope, and two Google key rings whose names differ only at their end."""
    seed_fleet(sim)
    now = sim.clock()
    for ring in RINGS:
        sim.add_target("google", ring)
    sim.add_job("google", filter_values=RINGS, created=now - 3600)


def expected_bars(status):
    """(job, target) -> outcome for every window job and every target it covers, as sync_status says it."""
    bars = {}
    for scope in status["scopes"]:
        names = [t["target"] for t in status["targets"] if (t["cloud"], t["scope"]) == (scope["cloud"], scope["scope"])]
        for job in scope["jobs"]:
            for name in names if job["everything"] else job["covers"]:
                outcome = job["state"]
                if outcome == "partial":
                    outcome = "failed" if name in job["errors_for"] else "succeeded"
                bars[(scope["cloud"], scope["scope"], job["id"], name)] = outcome
    return bars


def test_the_role_writes_page_summary_and_metrics_and_fails_after_writing_them(sim, ansible, tmp_path):
    seed_fleet(sim)
    run = ansible.playbook(report_playbook(tmp_path / "report"))
    assert run.rc == 0, run.output[-3000:]
    page = (tmp_path / "report" / "index.html").read_text()
    summary = (tmp_path / "report" / "summary.md").read_text()
    assert page.count('<tr class="target"') == len(LISTED) * len(FLEET_VERDICTS)
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "| %d | %d | %d | %d | %d |" % ((len(LISTED),) * 5) in summary
    assert "| aws | keys | aws-kms-never | never | never |" in summary and "aws-kms-ok" not in summary
    assert "ansible localhost -m ciphertrust.cckm.sync_job -a 'cloud=aws kms=aws-kms-failing wait=true'" in summary
    metrics = (tmp_path / "report" / "cckm_sync.prom").read_text()
    assert metrics.endswith("# EOF\n") and not (tmp_path / "report" / "cckm_sync.prom.tmp").exists()
    paths = "Report: {0}/index.html, summary: {0}/summary.md, metrics: {0}/cckm_sync.prom".format(tmp_path / "report")
    assert paths in run.output
    gate = ansible.playbook(report_playbook(tmp_path / "gate", sync_report_clouds="aws", sync_report_fail_when="never,failing"))
    assert gate.rc == 2
    assert (tmp_path / "gate" / "index.html").exists(), "the report is written before the gate fails"
    assert "4 of 10 targets are never or failing: aws keys aws-kms-failing: failing, last job" in gate.output, gate.output[-3000:]


def test_the_next_step_the_page_gives_runs_as_pasted(sim, ansible, tmp_path):
    seed_fleet(sim)
    run = ansible.playbook(report_playbook(tmp_path / "report", sync_report_clouds="aws"))
    assert run.rc == 0, run.output[-3000:]
    step = next(t for t in run.result("status")["sync_report_status"]["targets"] if t["target"] == "aws-custom-key-stores-stale")
    assert step["verdict"] == "stale"
    page = (tmp_path / "report" / "index.html").read_text()
    # CM starts one job a scope at a time, and a job of ...-running runs in this scope: the step waits for it first
    targets = run.result("status")["sync_report_status"]["targets"]
    running = next(t for t in targets if t["target"] == "aws-custom-key-stores-running")
    command = (
        "ansible localhost -m ciphertrust.cckm.sync_job_wait -a &#x27;cloud=aws scope=custom_key_stores id=%s&#x27;\n"
        "ansible localhost -m ciphertrust.cckm.sync_job"
        " -a &#x27;cloud=aws scope=custom_key_stores kms=aws-custom-key-stores-stale wait=true&#x27;"
    ) % running["running_job"]["id"]
    assert command in page
    sim.advance(3600)  # the running job ends
    sim.starting.duration = 1.0
    results = []
    for pasted in command.replace("&#x27;", "'").splitlines():
        argv = shlex.split(pasted)
        results.append(ansible.adhoc(argv[3], argv[5]))
        assert results[-1].rc == 0, results[-1].output[-3000:]
    assert results[0].result("")["sync_jobs"][0]["id"] == running["running_job"]["id"]
    result = results[1].result("")
    assert result["changed"] is True and result["targets"][0]["target"] == "aws-custom-key-stores-stale"
    assert result["targets"][0]["state"] == "succeeded"


@pytest.mark.tools  # Playwright is in the main virtualenv only
def test_the_page_in_a_real_browser_at_desktop_and_phone_width(sim, ansible, tmp_path):
    assert chromium(), "Chromium is missing: .ci/run installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    seed_report_fleet(sim)
    run = ansible.playbook(report_playbook(tmp_path / "report"))
    assert run.rc == 0, run.output[-3000:]
    status = run.result("status")["sync_report_status"]
    page_url = (tmp_path / "report" / "index.html").as_uri()
    not_ok = [t for t in status["targets"] if t["verdict"] != "ok"]
    bars = expected_bars(status)
    os.makedirs(ARTIFACTS, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            for kind, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 900})
                problems = []
                page.on("console", lambda message, seen=problems: seen.append(message.text) if message.type == "error" else None)
                page.on("pageerror", lambda error, seen=problems: seen.append(str(error)))
                page.on("requestfailed", lambda request, seen=problems: seen.append("failed: " + request.url))
                page.goto(page_url)
                assert problems == [], (kind, problems)
                scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert scroll[0] <= scroll[1], (kind, "the page is wider than the window", scroll)

                # Needs attention: exactly the targets that are not ok, most severe first
                cards = page.eval_on_selector_all(
                    ".card", "cards => cards.map(c => [c.dataset.cloud, c.dataset.scope, c.dataset.target, c.dataset.verdict])"
                )
                assert sorted(map(tuple, cards)) == sorted((t["cloud"], t["scope"], t["target"], t["verdict"]) for t in not_ok)
                ranks = [SEVERITY.index(card[3]) for card in cards]
                assert ranks == sorted(ranks), "most severe first"
                assert page.locator("#attention").bounding_box()["y"] < page.locator("table.cloud").first.bounding_box()["y"]

                # a bar per (job, target) of the window, coloured by that target's outcome, each with hover text
                drawn = page.eval_on_selector_all(
                    ".timeline rect.bar",
                    "rects => rects.map(r => [r.closest('.timeline').dataset.cloud, r.closest('.timeline').dataset.scope,"
                    " r.dataset.job, r.dataset.target, r.dataset.outcome, r.getAttribute('fill'),"
                    " (r.querySelector('title') || {}).textContent || ''])",
                )
                window = {(c, s, j, t): (o, fill) for c, s, j, t, o, fill, _hover in drawn if (c, s, j, t) in bars}
                assert {key: outcome for key, (outcome, _fill) in window.items()} == bars
                assert all(fill == OUTCOME_COLOURS[outcome] for outcome, fill in window.values())
                assert len(window) == len([1 for c, s, j, t, *_rest in drawn if (c, s, j, t) in bars]), "one bar each"
                assert all(hover.startswith(job + ": ") and "started" in hover for _c, _s, job, _t, _o, _f, hover in drawn)
                failed = [hover for *_key, outcome, _fill, hover in drawn if outcome == "failed"]
                assert failed and all("Error listing keys" in hover for hover in failed), "the error in the hover text"
                # every row's label shows (its hover text the whole name); two rings sharing a long prefix read apart
                labels = page.eval_on_selector_all(
                    ".tl-row[data-target] .tl-label",
                    "ls => ls.map(l => [l.title, l.textContent, l.getBoundingClientRect().width])",
                )
                shown = {title: text for title, text, _width in labels}
                assert shown[RINGS[0]] != shown[RINGS[1]] and shown[RINGS[0]].endswith("ring-1")
                assert all(width > 0 for *_rest, width in labels)
                overflowing = page.evaluate(
                    "[...document.querySelectorAll('.tl-label')].filter(l => l.scrollWidth > l.clientWidth + 1).length"
                )
                assert overflowing == 0, (kind, "labels cut by the page's width")
                # nothing in the timeline wider than its box; every axis has "now" and the max age boundary
                assert page.locator(".tl-axis .now").count() == len(status["scopes"]) - len(
                    [s for s in status["scopes"] if not s["in_use"]]
                )
                assert page.locator(".tl-axis .boundary").count() == page.locator(".tl-axis .now").count()
                page.screenshot(path=os.path.join(ARTIFACTS, "sync_report_%s.png" % kind), full_page=True)
                page.screenshot(path=os.path.join(ARTIFACTS, "sync_report_%s_top.png" % kind))  # the README's
                page.close()
        finally:
            browser.close()
    for kind in WIDTHS:
        assert os.path.getsize(os.path.join(ARTIFACTS, "sync_report_%s.png" % kind)) > 20000


@pytest.mark.tools  # prometheus_client is in the main virtualenv only
def test_the_metrics_pass_promtool_and_prometheus_clients_parsers_with_awkward_label_values(sim, ansible, tmp_path):
    promtool = shutil.which("promtool")
    assert promtool, "promtool is missing: .ci/run installs it (apt-get install prometheus)"
    from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
    from prometheus_client.parser import text_string_to_metric_families

    seed_fleet(sim)
    sim.add_target("aws", 'a"b\\c')
    metrics_dir = tmp_path / "textfile"
    metrics_dir.mkdir()
    run = ansible.playbook(
        report_playbook(tmp_path / "report", sync_report_clouds="aws", sync_report_metrics_file=metrics_dir / "cckm_sync.prom")
    )
    assert run.rc == 0, run.output[-3000:]
    assert sorted(os.listdir(metrics_dir)) == ["cckm_sync.prom"], "the temporary file was renamed into place"
    text = (metrics_dir / "cckm_sync.prom").read_text()
    checked = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    status = run.result("status")["sync_report_status"]
    for parse in (text_string_to_metric_families, openmetrics_families):
        families = {family.name: family for family in parse(text)}
        verdicts = list(families["cckm_sync_target_verdict"].samples)
        assert len(verdicts) == len(status["targets"]) * 5, "one series per target and verdict"
        ones = {(s.labels["cloud"], s.labels["scope"], s.labels["target"]): s.labels["verdict"] for s in verdicts if s.value == 1}
        assert ones == {(t["cloud"], t["scope"], t["target"]): t["verdict"] for t in status["targets"]}
        assert ones[("aws", "keys", 'a"b\\c')] == "never", "the awkward name read back whole"
        ages = {s.labels["target"]: s.value for s in families["cckm_sync_target_age_seconds"].samples}
        assert ages == {t["target"]: t["age"] for t in status["targets"] if t["age"] is not None}
        assert families["cckm_sync_in_sync"].samples[0].value == 0
    rules = os.path.join(ROOT, "docs", "prometheus", "cckm_sync_rules.yml")
    checked = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0 and "SUCCESS: 3 rules found" in checked.stdout, checked.stdout + checked.stderr
    tested = subprocess.run(
        [promtool, "test", "rules", os.path.join(ROOT, "tests", "integration", "prometheus", "cckm_sync_rules_test.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=os.path.join(ROOT, "tests", "integration", "prometheus"),
    )
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def test_a_cm_with_nothing_in_it_writes_a_page_that_says_nothing_was_checked_and_fails_the_gate(sim, ansible, tmp_path):
    run = ansible.playbook(report_playbook(tmp_path / "empty", sync_report_clouds="aws", sync_report_fail_when="stale"))
    assert run.rc == 2
    assert "No target found, so nothing was checked (fail_when: stale)" in run.output
    page = (tmp_path / "empty" / "index.html").read_text()
    assert "No target found: nothing was checked, so this is not in sync." in page and "<svg" not in page
    assert "**not in sync**: nothing was checked" in (tmp_path / "empty" / "summary.md").read_text()
    assert "cckm_sync_in_sync 0" in (tmp_path / "empty" / "cckm_sync.prom").read_text()


# What a user gets for a bad value of each role variable passed to sync_status: the variable they set is named,
# never the module's option (sync_report_max_age, not max_age), before anything is written or sent to CM.
BAD_VARIABLES = [
    ("sync_report_max_age", "soon", "sync_report_max_age: 'soon' is not a duration: give a number with a unit"),
    ("sync_report_max_age", 0, "sync_report_max_age: must be more than 0, got "),
    (
        "sync_report_fail_when",
        "never,stail",
        "value of sync_report_fail_when must be one or more of: stale, failing, never. Got no match for: stail",
    ),
    ("sync_report_clouds", "aws,gcp", "value of sync_report_clouds must be one or more of: aws, azure"),
    ("sync_report_scopes", "kays", "sync_report_scopes: kays is not a scope of any cloud; choose from:"),
]
OPTIONS = re.compile(r"(?<![A-Za-z0-9_])(clouds|scopes|max_age|targets|fail_when)(?![A-Za-z0-9_])")


@pytest.mark.parametrize("variable, value, message", BAD_VARIABLES, ids=["%s=%s" % v[:2] for v in BAD_VARIABLES])
def test_a_bad_variable_is_named_as_the_role_variable_before_anything_is_written(
    sim, ansible, tmp_path, variable, value, message
):
    run = ansible.playbook(report_playbook(tmp_path / "report", **{variable: value}))
    assert run.rc == 2 and message in run.flat_output, run.output[-3000:]
    failed = [record for record in run.records if record["status"] == "failed"]
    assert len(failed) == 1 and message in failed[0]["result"]["msg"], failed
    said = [line for line in run.output.splitlines() if line.startswith(("fatal:", "[ERROR]"))] + [failed[0]["result"]["msg"]]
    assert not any(OPTIONS.search(line) for line in said), "a module option named: %s" % said
    assert not (tmp_path / "report").exists(), "nothing is written"
    assert sim.stats().get("requests", 0) == 0, "a bad value never reaches CM"


def test_a_connection_error_keeps_its_own_message(sim, ansible, tmp_path):
    plain = ansible.adhoc("ciphertrust.cckm.sync_status", "clouds=aws", CM_PASSWORD="wrong")
    said = plain.result("")["msg"]
    assert plain.rc == 2 and "Check username, password" in said, plain.output[-3000:]
    run = ansible.playbook(report_playbook(tmp_path / "report", sync_report_clouds="aws"), CM_PASSWORD="wrong")
    assert run.rc == 2
    failed = [record for record in run.records if record["status"] == "failed"]
    assert [record["result"]["msg"] for record in failed] == [said], failed
    assert failed[0]["result"].get("error", {}).get("status") == 401, "the module's own failure, with its facts"
    assert not (tmp_path / "report").exists()
