"""The wait_for_sync role run through ansible-runner as AWX feeds it: credential values in
env/envvars, survey answers as !unsafe strings in env/extravars. Asserts on the artifacts."""

import json
import os
import re
import time

import pytest
import yaml

from tests.integration.helpers import (
    ROOT,
    RUNNER_ENV_DUMP,
    playbook,
    private_data_dir,
    run_runner,
    runner_events,
    runner_stats,
    scan_for_secrets,
    task,
)
from tests.simulator.seed import seed_fleet

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
    message = stats["wait_for_sync_result"]["msg"]
    assert stats["wait_for_sync_result"]["failed"] is True and "ended failed at" in message
    hits, _scanned = scan_for_secrets(pdd, sim.secrets_issued())
    assert hits == []


def survey_answers(**overrides):
    """What AWX sends for docs/awx/survey_spec.json answered with its defaults, then ``overrides``."""
    with open(os.path.join(ROOT, "docs", "awx", "survey_spec.json")) as handle:
        spec = json.load(handle)["spec"]
    answers = {}
    for question in spec:
        default = question.get("default", "")
        if question["type"] == "multiselect":  # AWX sends the chosen options as a list
            default = [item for item in str(default).split("\n") if item]
        answers[question["variable"]] = default
    answers.update(overrides)
    return answers


def test_every_survey_question_is_a_role_variable():
    with open(os.path.join(ROOT, "roles", "wait_for_sync", "meta", "argument_specs.yml")) as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    answers = survey_answers()
    assert set(answers) <= set(options) and "wait_for_sync_filters" in answers
    with open(os.path.join(ROOT, "docs", "awx", "survey_spec.json")) as handle:
        cloud = [q for q in json.load(handle)["spec"] if q["variable"] == "wait_for_sync_cloud"][0]
    assert cloud["choices"] == options["wait_for_sync_cloud"]["choices"]


def test_the_readme_lists_every_survey_question():
    with open(os.path.join(ROOT, "docs", "awx", "survey_spec.json")) as handle:
        spec = json.load(handle)["spec"]
    with open(os.path.join(ROOT, "README.md")) as handle:
        readme = handle.read()
    steps = readme[readme.index("## AWX / Ansible Automation Platform") : readme.index("## React to syncs")]
    listed = re.findall(r"^\s*\| ([^|]+?) \| `(wait_for_sync_\w+)` \| (\w+) \|", steps, re.M)
    assert listed == [(q["question_name"], q["variable"], q["type"]) for q in spec]


@pytest.mark.parametrize("fail_on", [["failed", "cancelled"], "failed\ncancelled"], ids=["a list", "the spec's own text"])
def test_the_survey_default_of_fail_on_is_accepted_as_list_or_text(sim, tmp_path, fail_on):
    # A multiple-choice answer arrives as a list; the spec's own default is "failed\ncancelled" text.
    job = sim.add_job("aws", outcome="partial", duration=0).id
    answers = survey_answers(wait_for_sync_job_ids=job, wait_for_sync_fail_on=fail_on)
    pdd = private_data_dir(tmp_path, sim, answers)
    proc = run_runner(pdd, "failon")
    assert proc.returncode == 0, proc.stdout[-3000:]
    result = runner_stats(pdd, "failon")["wait_for_sync_result"]
    assert result["summary"]["partial"] == 1 and result["failed"] is False and result["cloud"] == "aws"


@pytest.mark.parametrize("filters", ["kms=kms-prod", '{"kms": ["kms-prod"]}'], ids=["key=value", "JSON"])
def test_the_survey_answered_as_awx_sends_it_drives_the_role(sim, tmp_path, filters):
    job = sim.add_job("aws", filter_values=["kms-prod"], duration=3, starts_when_seen=True).id
    sim.add_job("aws", filter_values=["kms-other"], duration=600)
    answers = survey_answers(
        wait_for_sync_filters=filters,
        wait_for_sync_timeout=120,
        wait_for_sync_poll_interval=0.5,
        wait_for_sync_progress_interval=1,
    )
    pdd = private_data_dir(tmp_path, sim, answers)
    proc = run_runner(pdd, "survey")
    assert proc.returncode == 0, proc.stdout[-3000:]
    result = runner_stats(pdd, "survey")["wait_for_sync_result"]
    assert [j["id"] for j in result["sync_jobs"]] == [job] and result["summary"]["succeeded"] == 1


def injected(inputs, ca_file):
    """The CM_* environment AWX makes from the credential type's injectors for ``inputs``."""
    import jinja2

    with open(os.path.join(ROOT, "docs", "awx", "credential_type_injectors.yml")) as handle:
        injectors = yaml.safe_load(handle)
    context = dict(inputs, tower={"filename": {"ca_cert": ca_file}})
    return {name: jinja2.Template(template).render(context) for name, template in injectors["env"].items()}


def credential_cases(sim):
    jwt = sim.issue_tokens(sim.username, with_refresh=False)["jwt"]
    with open(sim.ca_file) as handle:
        pem = handle.read()
    login = {"address": sim.address, "username": sim.username, "password": sim.password}
    return {
        "private CA": (dict(login, ca_cert=pem), "ok", None),
        "validate_certs off": (dict(login, validate_certs=False), "ok", "validate_certs is false"),
        "token only": ({"address": sim.address, "token": jwt, "ca_cert": pem}, "ok", None),
        "request_timeout": (dict(login, ca_cert=pem, request_timeout="0"), "failed", "request_timeout: must be"),
        "allow_http off": (dict(login, ca_cert=pem, address="http://" + sim.address), "failed", "allow_http: true"),
    }


@pytest.mark.parametrize("case", ["private CA", "validate_certs off", "token only", "request_timeout", "allow_http off"])
def test_the_credential_type_injects_every_cm_variable_the_modules_read(sim, tmp_path, case):
    inputs, status, words = credential_cases(sim)[case]
    ca_file = str(tmp_path / "ca.pem")
    with open(ca_file, "w") as handle:
        handle.write(inputs.get("ca_cert", ""))
    env = injected(inputs, ca_file)
    assert {"CM_VALIDATE_CERTS", "CM_REQUEST_TIMEOUT", "CM_TOKEN", "CM_ALLOW_HTTP"} <= set(env)
    sim.add_job("aws")
    job = tmp_path / "info.yml"
    job.write_text(playbook(task("info", "ciphertrust.cckm.aws_sync_job_info")))
    pdd = private_data_dir(tmp_path, sim, {}, playbook_file=str(job), envvars=env)
    proc = run_runner(pdd, "cred")
    assert (pdd / "artifacts" / "cred" / "status").read_text() == ("successful" if status == "ok" else "failed"), proc.stdout
    if words:
        assert words in proc.stdout, proc.stdout[-2000:]
    if case == "token only":
        assert "logins" not in sim.stats(), "the injected token was used as is"
    hits, _scanned = scan_for_secrets(pdd, sim.secrets_issued())
    assert hits == []


def test_the_survey_can_start_the_sync_first(sim, tmp_path):
    sim.starting.duration = 2.0
    answers = survey_answers(
        wait_for_sync_filters="kms=kms-prod",
        wait_for_sync_start="true",
        wait_for_sync_poll_interval=0.5,
        wait_for_sync_progress_interval=1,
    )
    pdd = private_data_dir(tmp_path, sim, answers)
    proc = run_runner(pdd, "start")
    assert proc.returncode == 0, proc.stdout[-3000:]
    result = runner_stats(pdd, "start")["wait_for_sync_result"]
    assert result["started"] is True and result["summary"]["succeeded"] == 1
    assert [entry["body"] for entry in sim.start_bodies] == [{"kms": ["kms-prod"]}]


def test_the_fleet_job_template_publishes_each_offender_as_a_record_to_act_on(sim, tmp_path):
    seed_fleet(sim)
    template = os.path.join(ROOT, "docs", "awx", "sync_report_job_template.yml")
    published = tmp_path / "published"  # a directory that outlives the job (AWX discards the project directory)
    # the survey's answers under the names the template's header gives: a max_age under the ok targets' last
    # success (ten minutes ago) makes them stale
    survey = {"sync_report_clouds": "aws", "sync_report_max_age": "5m", "cckm_report_publish_dir": str(published)}
    pdd = private_data_dir(tmp_path, sim, survey, playbook_file=template)
    proc = run_runner(pdd, "fleet")
    assert proc.returncode != 0, "the template's gate fails on failing, stale and never"
    report = runner_stats(pdd, "fleet")["sync_report"]
    assert report["in_sync"] is False
    offenders = {(o["scope"], o["target"]): o for o in report["offenders"]}
    expected = {
        (scope, "aws-%s-%s" % (listing, verdict))
        for scope, listing in (("keys", "kms"), ("custom_key_stores", "custom-key-stores"))
        for verdict in ("failing", "stale", "never", "ok")
    }
    assert set(offenders) == expected
    assert offenders[("keys", "aws-kms-ok")]["verdict"] == "stale"
    # kept after the job, although the gate failed it
    assert sorted(p.name for p in published.iterdir()) == ["cckm_sync.prom", "index.html", "summary.md"]
    assert "aws-kms-failing" in (published / "index.html").read_text()
    failing = offenders[("keys", "aws-kms-failing")]
    assert set(failing) == {"cloud", "scope", "target", "verdict", "last_job_id", "reason"}
    assert (
        failing["verdict"] == "failing"
        and failing["last_job_id"]
        and failing["reason"].startswith("its last job %s ended partial: Error listing keys" % failing["last_job_id"])
    )
    assert offenders[("keys", "aws-kms-never")]["last_job_id"] is None
