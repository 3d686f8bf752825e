"""sync_schedule and sync_schedule_info through ansible-playbook against the simulator's scheduler.

The simulator records every write (method, path, body): each test asserts what CM received, not
only what the module said.
"""

from __future__ import annotations

import json
import time

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, SCHEDULABLE
from tests.integration.helpers import playbook, task
from tests.simulator.families import FAMILIES

SCHEDULE = "ciphertrust.cckm.sync_schedule"
INFO = "ciphertrust.cckm.sync_schedule_info"
NIGHTLY = {"name": "nightly-azure", "cloud": "azure", "key_vaults": ["vault-prod", "vault-dr"], "run_at": "0 2 * * *"}


def schedule_case(cloud: str):
    """(module option, CM's scheduler cloud name, CM's params field) for a cloud: the option from the table of clouds,
    the rest from the simulator's own row, written from the vendor's API page (tests/simulator/families.py)."""
    family = FAMILIES.get((cloud, CLOUDS[cloud].default_scope))
    assert family is not None, "tests/simulator/families.py has no row for %s: add its Family" % cloud
    return CLOUDS[cloud].target_option, family.scheduler_cloud, family.scheduler_field


EVERY_CLOUD = {cloud: schedule_case(cloud) for cloud in SCHEDULABLE}


def schedule(title, **args):
    return task(title, SCHEDULE, args)


def writes(sim):
    return [(w["method"], w["body"]) for w in sim.scheduler.writes]


def test_create_then_nothing_then_one_field_then_delete_then_nothing(sim, ansible):
    run = ansible.playbook(
        playbook(
            schedule("create", description="nightly", **NIGHTLY),
            task("same again", SCHEDULE, {**NIGHTLY, "description": "nightly", "key_vaults": ["vault-dr", "vault-prod"]}),
            schedule("new description", description="nightly, both vaults", **NIGHTLY),
            schedule("delete it", name=NIGHTLY["name"], state="absent"),
            schedule("already absent", name=NIGHTLY["name"], state="absent"),
        )
    )
    assert run.rc == 0, run.output[-3000:]
    assert [
        run.result(name)["changed"] for name in ("create", "same again", "new description", "delete it", "already absent")
    ] == [
        True,
        False,
        True,
        True,
        False,
    ]
    config_path = "/api/v1/scheduler/job-configs/%s" % run.result("create")["schedule"]["id"]
    assert writes(sim) == [
        (
            "POST",
            {
                "name": "nightly-azure",
                "operation": "cckm_synchronization",
                "run_at": "0 2 * * *",
                "description": "nightly",
                "cckm_synchronization_params": {
                    "cloud_name": "AzureCloud",
                    "synchronize_all": False,
                    "key_vaults": ["vault-prod", "vault-dr"],
                },
            },
        ),
        ("PATCH", {"description": "nightly, both vaults"}),
        ("DELETE", None),
    ]
    assert [w["path"] for w in sim.scheduler.writes[1:]] == [config_path, config_path]
    created = run.result("create")["schedule"]
    assert created["cloud"] == "azure" and created["key_vaults"] == ["vault-prod", "vault-dr"] and created["next_run_at"]
    assert created["job_config_params"]["cloud_name"] == "AzureCloud"
    assert run.result("delete it")["schedule"] is None and not sim.scheduler.configs


def test_every_cloud_is_sent_under_cms_scheduler_names(sim, ansible):
    tasks = [
        schedule(cloud, name="every-" + cloud, cloud=cloud, run_at="15 1 * * *", **{option: ["%s-target" % cloud]})
        for cloud, (option, _name, _field) in sorted(EVERY_CLOUD.items())
    ]
    tasks.append(
        schedule("regions of aws", name="aws-regions", cloud="aws", kms=["k"], regions=["eu-west-1"], run_at="0 1 * * *")
    )
    tasks.append(schedule("all of oci", name="all-oci", cloud="oci", synchronize_all=True, run_at="0 1 * * *"))
    run = ansible.playbook(playbook(*tasks))
    assert run.rc == 0, run.output[-3000:]
    bodies = {w["body"]["name"]: w["body"]["cckm_synchronization_params"] for w in sim.scheduler.writes}
    for cloud, (option, cloud_name, field) in EVERY_CLOUD.items():
        assert bodies["every-" + cloud] == {"cloud_name": cloud_name, "synchronize_all": False, field: ["%s-target" % cloud]}
        shown = run.result(cloud)["schedule"]
        assert shown["cloud"] == cloud and shown[option] == ["%s-target" % cloud], shown
    assert bodies["aws-regions"]["regions"] == ["eu-west-1"]
    assert bodies["all-oci"] == {"cloud_name": "oci", "synchronize_all": True}


def test_check_mode_writes_nothing_and_diff_shows_the_change(sim, ansible):
    sim.scheduler.add_config("nightly-azure", "AzureCloud", {"key_vaults": ["vault-prod", "vault-dr"], "synchronize_all": False})
    run = ansible.playbook(
        playbook(
            task("move it", SCHEDULE, {**NIGHTLY, "run_at": "30 3 * * *"}),
            task("new one", SCHEDULE, {**NIGHTLY, "name": "another"}),
            schedule("gone", name="nightly-azure", state="absent"),
            schedule("run it", run_now=True, **NIGHTLY),
        ),
        "--check",
        "--diff",
    )
    assert run.rc == 0, run.output[-3000:]
    assert sim.scheduler.writes == [] and sim.stats().get("start", 0) == 0
    assert [run.result(name)["changed"] for name in ("move it", "new one", "gone", "run it")] == [True, True, True, True]
    assert run.result("move it")["schedule"]["run_at"] == "30 3 * * *"  # as it would be
    new = run.result("new one")["schedule"]  # as it would be, so a playbook run with -C can read it
    assert new["name"] == "another" and new["cloud"] == "azure" and new["key_vaults"] == ["vault-prod", "vault-dr"]
    assert new["next_run_at"].endswith("T02:00:00Z") and new["id"] is None
    assert '-    "run_at": "0 2 * * *"' in run.output and '+    "run_at": "30 3 * * *"' in run.output, run.output[-3000:]
    assert run.result("run it")["sync_job"] is None


def test_a_diff_of_a_target_change_and_the_patch_it_sends(sim, ansible):
    sim.scheduler.add_config("nightly-azure", "AzureCloud", {"key_vaults": ["vault-prod"], "synchronize_all": False})
    run = ansible.playbook(playbook(schedule("add a vault", **NIGHTLY)), "--diff")
    assert run.rc == 0, run.output[-3000:]
    assert writes(sim) == [
        ("PATCH", {"cckm_synchronization_params": {"key_vaults": ["vault-prod", "vault-dr"], "synchronize_all": False}})
    ]
    assert '+        "vault-dr"' in run.output, run.output[-3000:]


def test_run_now_then_wait_for_the_job_it_started(sim, ansible):
    sim.starting.duration = 2.0
    run = ansible.playbook(
        playbook(
            task("create and run", SCHEDULE, dict(NIGHTLY, run_now=True), register="scheduled"),
            task(
                "wait for it",
                "ciphertrust.cckm.sync_job_wait",
                {"cloud": "azure", "id": ["{{ scheduled.sync_job.id }}"], "poll_interval": 0.5, "max_poll_interval": 1},
            ),
        )
    )
    assert run.rc == 0, run.output[-3000:]
    started = run.result("create and run")["sync_job"]
    job = sim.scheduler.runs[0]["job"]
    assert started["id"] == job.id and started["key_vaults"] == ["vault-prod", "vault-dr"]
    waited = run.result("wait for it")
    assert [j["id"] for j in waited["sync_jobs"]] == [job.id] and waited["summary"]["succeeded"] == 1
    assert [w["method"] for w in sim.scheduler.writes] == ["POST", "POST"]  # create, run-now


@pytest.mark.parametrize("answer", ["job", "empty"])
def test_run_now_whatever_cm_answers(sim, ansible, answer):
    sim.scheduler.settings.run_now_answer = answer
    sim.scheduler.add_config("nightly-azure", "AzureCloud", {"key_vaults": ["vault-prod", "vault-dr"], "synchronize_all": False})
    run = ansible.adhoc(SCHEDULE, "name=nightly-azure cloud=azure key_vaults=vault-prod,vault-dr run_at='0 2 * * *' run_now=true")
    assert run.rc == 0, run.output[-3000:]
    assert run.result("")["sync_job"]["id"] == sim.scheduler.runs[0]["job"].id


def test_another_cloud_is_refused_unless_recreate(sim, ansible):
    sim.scheduler.add_config(
        "nightly-azure", "AzureCloud", {"key_vaults": ["vault-prod"]}, disabled=True, description="paused for the migration"
    )
    refused = ansible.playbook(playbook(schedule("to aws", name="nightly-azure", cloud="aws", kms=["k"], run_at="0 2 * * *")))
    assert refused.rc != 0 and sim.scheduler.writes == []
    message = refused.result("to aws")["msg"]
    assert (
        message.startswith("cloud: schedule 'nightly-azure'") and "synchronizes azure" in message and "recreate: true" in message
    )
    run = ansible.playbook(
        playbook(schedule("to aws", name="nightly-azure", cloud="aws", kms=["k"], run_at="0 2 * * *", recreate=True))
    )
    assert run.rc == 0, run.output[-3000:]
    assert [w["method"] for w in sim.scheduler.writes] == ["DELETE", "POST"]
    recreated = run.result("to aws")["schedule"]
    assert recreated["cloud"] == "aws"
    # not given, so kept as they were: a paused schedule stays paused, with its description
    assert recreated["disabled"] is True and recreated["description"] == "paused for the migration"
    assert sim.scheduler.writes[1]["body"]["disabled"] is True


def test_params_cm_does_not_keep_are_warned_once_and_never_patched_again(sim, ansible):
    sim.scheduler.settings.dropped_params = ("regions",)
    aws = {"name": "nightly-aws", "cloud": "aws", "kms": ["kms-prod"], "regions": ["us-east-1"], "run_at": "0 3 * * *"}
    run = ansible.playbook(playbook(schedule("create", **aws), schedule("again", **aws), schedule("and again", **aws)))
    assert run.rc == 0, run.output[-3000:]
    assert [run.result(name)["changed"] for name in ("create", "again", "and again")] == [True, False, False]
    assert [w["method"] for w in sim.scheduler.writes] == ["POST"]
    assert sim.scheduler.writes[0]["body"]["cckm_synchronization_params"]["regions"] == ["us-east-1"]
    assert run.flat_output.count("did not keep regions in schedule 'nightly-aws'") == 1, run.output[-3000:]


def test_a_patch_keeps_params_the_collection_does_not_know(sim, ansible):
    sim.scheduler.settings.params_patch = "replace"  # the worst case: CM replaces the whole block
    sim.scheduler.add_config(
        "nightly-azure", "AzureCloud", {"key_vaults": ["vault-prod"], "synchronize_all": False, "sync_items": ["key"]}
    )
    run = ansible.playbook(playbook(schedule("add a vault", **NIGHTLY), schedule("same", **NIGHTLY)))
    assert run.rc == 0, run.output[-3000:]
    (patch,) = [w["body"] for w in sim.scheduler.writes]
    assert patch["cckm_synchronization_params"]["sync_items"] == ["key"]
    assert "regions" not in patch["cckm_synchronization_params"], "a field is sent only when the user gave it"
    assert list(sim.scheduler.configs.values())[0]["params"]["sync_items"] == ["key"]


def test_a_schedule_that_never_runs_is_refused_or_warns_why_and_dates_can_be_cleared(sim, ansible):
    feb31 = {**NIGHTLY, "name": "never", "run_at": "0 2 31 2 *"}
    over = {**NIGHTLY, "name": "over", "end_date": "2020-01-01T00:00:00Z", "start_date": "2019-01-01T00:00:00Z"}
    cleared = {**over, "end_date": "", "start_date": ""}
    run = ansible.playbook(
        playbook(
            task("31 February", SCHEDULE, feb31, ignore_errors=True),
            task("ended", SCHEDULE, over),
            task("clear the dates", SCHEDULE, cleared),
            task("cleared already", SCHEDULE, cleared),
        )
    )
    assert run.rc == 0, run.output[-3000:]
    refused = run.result("31 February")
    assert run.status("31 February") == "failed" and refused["changed"] is False  # no date matches: refused, not written
    assert refused["msg"].startswith("run_at: '0 2 31 2 *' never runs: February has no 31st day."), refused["msg"]
    assert "Schedule 'over' never runs as it stands: its end_date 2020-01-01T00:00:00Z has passed" in run.flat_output
    cleared = run.result("clear the dates")
    assert cleared["changed"] is True and cleared["schedule"]["next_run_at"].endswith("T02:00:00Z")
    assert run.result("cleared already")["changed"] is False
    assert [w["body"].get("name") for w in sim.scheduler.writes] == ["over", None], "nothing written for 'never'"
    patch = sim.scheduler.writes[1]["body"]
    assert patch == {"start_date": "0001-01-01T00:00:00Z", "end_date": "0001-01-01T00:00:00Z"}  # CM's own "unset"
    assert run.flat_output.count("Schedule 'over' never runs") == 1, "not once the dates are cleared"


def test_run_now_three_times_while_it_runs_starts_one_job(sim, ansible):
    sim.starting.duration = 600
    run = ansible.playbook(playbook(*(schedule("run %d" % n, run_now=True, **NIGHTLY) for n in range(3))))
    assert run.rc == 0, run.output[-3000:]
    first = run.result("run 0")
    assert first["reused"] is False and first["changed"] is True
    for name in ("run 1", "run 2"):
        assert run.result(name)["reused"] is True and run.result(name)["changed"] is False
        assert run.result(name)["sync_job"]["id"] == first["sync_job"]["id"]
    assert [w["path"].endswith("/run-now") for w in sim.scheduler.writes] == [False, True]  # create, one run-now


def test_info_lists_schedules_with_their_last_runs_and_next_run(sim, ansible):
    nightly = sim.scheduler.add_config("nightly-azure", "AzureCloud", {"key_vaults": ["vault-prod"]}, run_at="0 2 * * *")
    sim.scheduler.add_config("weekly-aws", "aws", {"synchronize_all": True}, run_at="0 4 * * sun", disabled=True)
    sim.scheduler.add_config("backup", "aws", {}, operation="database_backup")
    for day in range(1, 8):
        started = time.time() - day * 86400
        sim.scheduler.add_run(nightly, "failed" if day == 1 else "completed", started)
    for count in range(15):  # more than one page of configs at CM's default page of 10
        sim.scheduler.add_config("extra-%02d" % count, "gcp", {"key_rings": ["r"]})
    run = ansible.playbook(
        playbook(
            task("all", INFO),
            task("azure", INFO, {"cloud": "azure"}),
            task("one, no runs", INFO, {"name": "weekly-aws", "last_runs": 0}),
        )
    )
    assert run.rc == 0, run.output[-3000:]
    every = run.result("all")["schedules"]
    assert len(every) == 17 and "backup" not in [s["name"] for s in every]
    (azure,) = run.result("azure")["schedules"]
    assert [r["state"] for r in azure["last_runs"]] == ["failed", "succeeded", "succeeded", "succeeded", "succeeded"]
    assert azure["last_runs"][0]["started_at"] > azure["last_runs"][1]["started_at"]
    assert azure["next_run_at"].endswith("T02:00:00Z") and azure["key_vaults"] == ["vault-prod"]
    (weekly,) = run.result("one, no runs")["schedules"]
    assert weekly["next_run_at"] is None and "last_runs" not in weekly and weekly["synchronize_all"] is True
    runs_reads = [r for r in sim.requests_seen() if r["path"] == "/api/v1/scheduler/jobs"]
    assert len(runs_reads) == 2  # "all" and "azure"; last_runs: 0 reads none
    assert sim.scheduler.writes == []


def test_info_ad_hoc_prints_json(sim, ansible):
    sim.scheduler.add_config("nightly-oci", "oci", {"oci_vaults": ["v1"]}, run_at="*/30 * * * *")
    run = ansible.adhoc(INFO, "cloud=oci")
    assert run.rc == 0, run.output
    printed = json.loads(run.stdout[run.stdout.index("{") :])
    assert printed["schedules"][0]["vaults"] == ["v1"] and printed["changed"] is False
