"""The scheduler calls against the simulator over TLS: every undocumented answer CM may give, and lost answers."""

import time

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler import api as scheduler
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.schedules import Wanted, attach_last_runs
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.sim_client import client_of

SETTINGS = {"run_at": "0 2 * * *", "description": None, "disabled": None, "start_date": None, "end_date": None, "run_on": None}


def wanted(name="nightly", cloud="azure", targets=("vault1",), **settings):
    return Wanted(name, CLOUDS[cloud], list(targets), None, False, None, dict(SETTINGS, **settings))


@pytest.mark.parametrize("name_filter", ["exact", "contains", "ignored"])
def test_a_schedule_is_found_by_its_exact_name_however_cm_filters(sim, name_filter):
    sim.scheduler.settings.name_filter = name_filter
    sim.scheduler.add_config("nightly-2", "AzureCloud", {"key_vaults": ["a"]})
    mine = sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["b"]})
    sim.scheduler.add_config("nightly-3", "AzureCloud", {"key_vaults": ["c"]})
    client = client_of(sim)
    assert scheduler.find_schedule(client, "nightly")["id"] == mine
    assert scheduler.find_schedule(client, "night") is None
    assert [c["name"] for c in scheduler.list_schedules(client, "nightly")] == ["nightly"]


def test_a_name_held_by_another_operation_is_refused_naming_it(sim):
    other = sim.scheduler.add_config("nightly", "aws", {}, operation="database_backup")
    with pytest.raises(CckmError) as caught:
        scheduler.find_schedule(client_of(sim), "nightly")
    assert caught.value.message.startswith("name: 'nightly' is the name of a scheduler job config for 'database_backup'")
    assert other in caught.value.message


@pytest.mark.parametrize("params_patch", ["merge", "replace"])
def test_an_update_leaves_the_same_schedule_whether_cm_merges_or_replaces_params(sim, params_patch):
    sim.scheduler.settings.params_patch = params_patch
    config_id = sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"], "take_cloud_key_backup": True})
    client = client_of(sim)
    current = scheduler.find_schedule(client, "nightly")
    updated = scheduler.update(client, current, wanted(targets=["vault2"]))
    assert updated["job_config_params"] == {
        "cloud_name": "AzureCloud",
        "key_vaults": ["vault2"],
        "synchronize_all": False,
        "take_cloud_key_backup": True,
    }
    assert sim.scheduler.configs[config_id]["params"] == dict(updated["job_config_params"])


def test_a_create_whose_answer_is_lost_is_adopted_not_sent_twice(sim):
    sim.inject("drop", match="other", acts_first=True)
    client = client_of(sim)
    created = scheduler.create(client, wanted())
    assert created["name"] == "nightly" and len(sim.scheduler.configs) == 1
    assert [w["method"] for w in sim.scheduler.writes] == ["POST"]


def test_a_create_that_failed_is_sent_again_after_looking(sim):
    sim.inject("status", match="other", status=503)
    created = scheduler.create(client_of(sim), wanted())
    assert created["id"] and len(sim.scheduler.configs) == 1
    assert [w["method"] for w in sim.scheduler.writes] == ["POST"]  # the 503 was answered before CM acted
    posts = [r for r in sim.requests_seen() if r["method"] == "POST" and r["path"].endswith("/job-configs")]
    assert len(posts) == 2


def test_a_patch_whose_answer_is_lost_is_not_sent_again(sim):
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    current = scheduler.find_schedule(client, "nightly")
    sim.inject("drop", match="other", acts_first=True)
    updated = scheduler.update(client, current, wanted(run_at="0 5 * * *"))
    assert updated["run_at"] == "0 5 * * *" and [w["method"] for w in sim.scheduler.writes] == ["PATCH"]


def test_a_delete_whose_answer_is_lost_is_done(sim):
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    current = scheduler.find_schedule(client, "nightly")
    sim.inject("drop", match="other", acts_first=True)
    assert scheduler.delete(client, current) is True
    assert not sim.scheduler.configs and [w["method"] for w in sim.scheduler.writes] == ["DELETE"]
    assert scheduler.delete(client, current) is False  # gone already: a 404 is not a failure


def test_cm_error_bodies_are_reported_with_what_was_asked(sim):
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    with pytest.raises(CckmError) as duplicate:
        scheduler.create(client, wanted())  # as if another task created it after this one looked
    assert duplicate.value.status == 409 and "refused to create the synchronization schedule 'nightly'" in duplicate.value.message
    assert "NCERRConflict" in duplicate.value.message and "run the task again" in duplicate.value.message
    with pytest.raises(CckmError) as bad_cron:
        scheduler.create(client, wanted("other", run_at="0 2 * * * *"))
    assert bad_cron.value.status == 400 and "Invalid run_at" in bad_cron.value.message
    gone = {"id": "5f0e-unknown", "name": "ghost"}
    with pytest.raises(CckmError) as unknown:
        scheduler.update(client, gone, wanted("ghost", run_at="0 3 * * *"))
    assert unknown.value.status == 404 and "NCERRResourceNotFound" in unknown.value.message


@pytest.mark.parametrize("answer", ["run", "job", "empty"])
def test_run_now_finds_the_job_it_started_whatever_cm_answers(sim, answer):
    sim.scheduler.settings.run_now_answer = answer
    sim.scheduler.settings.run_now_refuse_status = 0  # a CM that runs it beside the other targets' job
    sim.starting.duration = 30
    sim.add_job("azure", filter_values=["vault1"], duration=0)  # an older, finished job of the same targets
    sim.add_job("azure", filter_values=["vault9"], duration=600)  # a running job of other targets
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    ran = scheduler.run_now(client, scheduler.find_schedule(client, "nightly"), sleep=lambda s: None)
    runs = [run for run in sim.scheduler.runs if run["job"] is not None]
    assert ran.sync_job["id"] == runs[0]["job"].id and ran.sync_job["state"] == "in_progress"
    assert ran.sync_job["key_vaults"] == ["vault1"] and ran.reused is False and ran.warnings == []


@pytest.mark.parametrize("refuse_status", [409, 0])
def test_run_now_while_a_covering_job_runs_reuses_it_and_sends_nothing(sim, refuse_status):
    sim.scheduler.settings.run_now_refuse_status = refuse_status  # whether CM would refuse or start a second one
    running = sim.add_job("azure", filter_values=[], duration=600)  # synchronize_all covers vault1
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    for _again in range(3):
        ran = scheduler.run_now(client, scheduler.find_schedule(client, "nightly"))
        assert ran.sync_job["id"] == running.id and ran.reused is True and ran.warnings == []
    assert sim.scheduler.writes == [] and sim.scheduler.runs == []


def test_run_now_refused_because_a_covering_job_started_meanwhile_returns_that_job(sim):
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    config = scheduler.find_schedule(client, "nightly")
    started, listings = [], []

    def another_client_starts_one(path, skip):
        listings.append(path)
        if len(listings) == 3:  # after run_now's look for running jobs (one listing per status spelling)
            started.append(sim.add_job("azure", filter_values=["vault1"], duration=600))

    sim.page_hook = another_client_starts_one
    ran = scheduler.run_now(client, config)
    assert ran.sync_job["id"] == started[0].id and ran.reused is True
    assert "refused to run schedule 'nightly' now (HTTP 409" in ran.warnings[0]
    assert [w["method"] for w in sim.scheduler.writes] == ["POST"]


def test_run_now_refused_while_another_job_runs_names_it(sim):
    sim.scheduler.settings.run_now_refuse_status = 409
    running = sim.add_job("azure", filter_values=["vault9"], duration=600)
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    with pytest.raises(CckmError) as caught:
        scheduler.run_now(client, scheduler.find_schedule(client, "nightly"))
    assert running.id in caught.value.message and "sync_job_wait" in caught.value.message


def test_the_runs_of_a_schedule_follow_its_job(sim):
    sim.starting.duration = 0.3
    sim.starting.outcome = "failed"
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    config = scheduler.find_schedule(client, "nightly")
    scheduler.run_now(client, config)
    runs = scheduler.read_runs(client, [config["id"]])
    assert [run["job_status"] for run in runs] == ["in_progress"]  # CM's field: the vendor's CLI filters job_status
    time.sleep(0.5)
    runs = scheduler.read_runs(client, [config["id"]])
    assert [run["job_status"] for run in runs] == ["failed"] and "status" not in runs[0]


@pytest.mark.parametrize("field", ["job_status", "status"])
def test_a_run_is_normalized_from_whichever_field_cm_answers(sim, field):
    sim.scheduler.settings.run_status_field = field
    sim.starting.duration = 0.0
    sim.scheduler.add_config("nightly", "AzureCloud", {"key_vaults": ["vault1"]})
    client = client_of(sim)
    config = scheduler.find_schedule(client, "nightly")
    scheduler.run_now(client, config)
    time.sleep(0.05)
    schedules = [dict(config)]
    attach_last_runs(schedules, scheduler.read_runs(client, [config["id"]]), 5)
    assert [run["state"] for run in schedules[0]["last_runs"]] == ["succeeded"]
