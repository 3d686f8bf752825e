"""The fleet report's parts: what needs attention and in which order, the next step's command (read back by
Ansible's own parser), the timeline's axis and labels, the page's structure, the metrics' text."""

import datetime
import shlex

import pytest
from ansible.parsing.splitter import parse_kv

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC, duration_text
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.attention import (
    adhoc,
    needs_attention,
    next_step,
    running_in_scopes,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.metrics import METRICS, label_value, openmetrics_text
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.report import report_html, report_markdown
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.timeline import Axis, short_labels

NOW = datetime.datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def target(name, verdict, age=None, cloud="aws", scope="keys", **fields):
    success = None if age is None else (NOW - datetime.timedelta(seconds=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dict(
        cloud=cloud,
        scope=scope,
        target=name,
        target_id=None,
        verdict=verdict,
        last_success_at=success,
        age=age,
        last_job=fields.get("last_job"),
        running_job=fields.get("running_job"),
    )


def fleet(*targets, in_sync=False):
    counts = {v: len([t for t in targets if t["verdict"] == v]) for v in ("ok", "running", "failing", "stale", "never")}
    scopes = sorted({(t["cloud"], t["scope"]) for t in targets})
    return dict(
        targets=list(targets),
        counts=counts,
        in_sync=in_sync,
        max_age=86400,
        checked_at="2026-12-06T08:00:00Z",
        warnings=[],
        scopes=[dict(cloud=c, scope=s, in_use=True, jobs=[], jobs_in_window=0, counts={}) for c, s in scopes],
    )


FAILED_JOB = {
    "id": "job-9",
    "state": "partial",
    "outcome": "failed",
    "createdAt": "2026-12-06T07:50:00Z",
    "completed_at": "2026-12-06T07:51:00Z",
    "errors": [{"target": "kms-b", "message": "Error listing keys from AWS: access denied"}],
}


def test_needs_attention_lists_every_target_not_ok_most_severe_first_the_longest_without_success_first():
    status = fleet(
        target("kms-ok", "ok", 600),
        target("kms-run", "running", 3 * 86400, running_job={"id": "job-r", "createdAt": "2026-12-06T07:59:00Z"}),
        target("kms-stale-2d", "stale", 2 * 86400),
        target("kms-never", "never"),
        target("kms-stale-5d", "stale", 5 * 86400),
        target("kms-b", "failing", 86400 * 2, last_job=FAILED_JOB),
        target("vault-never", "never", cloud="azure"),
    )
    order = [t["target"] for t in needs_attention(status)]
    assert order == ["kms-b", "kms-never", "vault-never", "kms-stale-5d", "kms-stale-2d", "kms-run"]


@pytest.mark.parametrize(
    "name, scope, expected",
    [
        ("kms-prod", "keys", "cloud=aws kms=kms-prod wait=true"),
        ("kms-prod", "custom_key_stores", "cloud=aws scope=custom_key_stores kms=kms-prod wait=true"),
        ('odd "name", with a comma', "keys", '{"cloud": "aws", "kms": ["odd \\"name\\", with a comma"], "wait": true}'),
    ],
)
def test_the_next_step_is_a_command_ansible_reads_back_as_meant(name, scope, expected):
    step = next_step(target(name, "stale", 3 * 86400, scope=scope), "24 h")
    argv = shlex.split(step.command)
    assert argv[:5] == ["ansible", "localhost", "-m", "ciphertrust.cckm.sync_job", "-a"] and argv[5] == expected
    if not expected.startswith("{"):
        read = parse_kv(argv[5])
        assert read["kms"] == name and read.get("scope", "keys") == scope
    assert "older than 24 h" in step.advice


def test_each_verdict_gets_its_own_next_step():
    running = next_step(target("kms-r", "running", 3 * 86400, running_job={"id": "job-r"}))
    assert running.command == adhoc("sync_job_wait", {"cloud": "aws", "id": "job-r"})
    failing = next_step(target("kms-b", "failing", None, last_job=FAILED_JOB))
    assert "Fix what the error names in AWS KMS" in failing.advice and "sync_job -a" in failing.command
    assert "never synchronized" not in failing.advice
    assert "schedule" in next_step(target("kms-n", "never")).advice
    assert next_step(target("kms-ok", "ok", 60)) is None


def test_a_start_in_a_scope_where_a_job_runs_waits_for_that_job_first():
    stale = target("kms-s", "stale", 3 * 86400)
    busy = next_step(stale, "24 h", ["job-r"])
    wait, start = busy.command.splitlines()
    assert shlex.split(wait)[3:] == ["ciphertrust.cckm.sync_job_wait", "-a", "cloud=aws id=job-r"]
    assert start == next_step(stale, "24 h").command
    assert "one job a scope at a time, and job job-r runs" in busy.advice
    status = {"targets": [stale, target("kms-r", "running", 60, running_job={"id": "job-r"})]}
    assert running_in_scopes(status) == {("aws", "keys"): ["job-r"]}


def test_labels_shortened_from_the_left_keep_names_sharing_a_long_prefix_apart():
    rings = ["projects/demo/locations/global/keyRings/ring-%d" % n for n in (1, 2)]
    labels = short_labels(rings + ["short"])
    assert labels["short"] == "short"
    assert labels[rings[0]] != labels[rings[1]] and labels[rings[0]].endswith("keyRings/ring-1")
    assert all(len(label) <= 30 for label in labels.values())
    suffix = ["%s/shared/tail/that/is/long/enough/to/cut" % head for head in ("prod-a", "prod-b")]
    apart = short_labels(suffix)
    assert apart[suffix[0]] != apart[suffix[1]], "a shared end: the heads tell them apart"


def test_the_axis_puts_now_on_the_right_recent_minutes_wide_and_ticks_clear_of_each_other():
    axis = Axis.of(NOW, 86400, NOW - datetime.timedelta(days=3))
    assert axis.x(NOW) == 1000.0 and axis.x(NOW - datetime.timedelta(days=40)) == 0.0
    ten_minutes = axis.x(NOW - datetime.timedelta(minutes=10)) - axis.x(NOW - datetime.timedelta(minutes=11))
    a_day_ago = axis.x(NOW - datetime.timedelta(hours=23)) - axis.x(NOW - datetime.timedelta(hours=23, minutes=1))
    assert ten_minutes > 10 * a_day_ago > 0, "a minute ten minutes ago is wider than one a day ago"
    assert 0 < axis.boundary < 1000 and axis.span >= 3 * 86400
    xs = sorted([x for x, _label, _major in axis.ticks()] + [axis.boundary, 1000.0])
    assert all(b - a >= 70 for a, b in zip(xs, xs[1:])), xs
    majors = sorted([x for x, _label, major in axis.ticks() if major] + [axis.boundary, 1000.0])
    assert all(b - a >= 170 for a, b in zip(majors, majors[1:])), majors
    assert Axis.of(NOW, 86400, NOW - datetime.timedelta(days=400)).span == 30 * 86400, "capped"


@pytest.mark.parametrize(
    "seconds, text", [(86400, "24 h"), (3 * 86400, "3 d"), (7200, "2 h"), (90 * 60, "1 h 30 min"), (45, "45 s")]
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration_text(seconds) == text


def test_the_page_escapes_what_cm_says_and_answers_first():
    evil = target(
        "<img src=x onerror=alert(1)>",
        "failing",
        None,
        last_job=dict(FAILED_JOB, errors=[{"target": "x", "message": "<b>boom</b>"}]),
    )
    page = report_html(fleet(evil, target("kms-ok", "ok", 60)))
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page and "<b>boom" not in page
    assert page.index('class="answer') < page.index('id="attention"') < page.index('<table class="cloud"')
    assert '<meta name="viewport"' in page and "<script" not in page
    assert "Not every target is in sync: 1 of 2 need attention." in page
    summary = report_markdown(fleet(evil, target("kms-ok", "ok", 60)))
    assert (
        "## Needs attention" in summary
        and "kms-ok" not in summary
        and "ansible localhost -m ciphertrust.cckm.sync_job" in summary
    )


def test_metrics_hold_one_series_per_target_and_verdict_with_label_values_escaped():
    text = openmetrics_text(fleet(target('a"b\\c', "stale", 7200), target("kms-n", "never")))
    assert label_value('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    verdicts = [line for line in text.splitlines() if line.startswith("cckm_sync_target_verdict{")]
    assert len(verdicts) == 2 * 5
    assert 'cckm_sync_target_verdict{cloud="aws",scope="keys",target="a\\"b\\\\c",verdict="stale"} 1' in verdicts
    assert 'cckm_sync_target_age_seconds{cloud="aws",scope="keys",target="a\\"b\\\\c"} 7200' in text
    assert 'target="kms-n"} ' not in text.replace("verdict=", ""), "never: no age, no last success (not 1970)"
    assert "cckm_sync_in_sync 0" in text and text.endswith("# EOF\n")
    for name, _help in METRICS:
        if name not in ("scope_jobs_in_window", "scope_targets"):
            assert "# TYPE cckm_sync_%s gauge" % name in text, name
