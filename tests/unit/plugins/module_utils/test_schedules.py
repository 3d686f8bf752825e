"""Schedules as data: reading CM's configs, what a task would PATCH, next run times, runs."""

import datetime
import json

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.schedules import (
    Wanted,
    attach_last_runs,
    checked_time,
    create_body,
    next_run_at,
    normalize_run,
    normalize_schedule,
    parse_time,
    patch_body,
    predicted,
    why_it_never_runs,
)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SETTINGS = {"run_at": "0 2 * * *", "description": None, "disabled": None, "start_date": None, "end_date": None, "run_on": None}


def wanted(cloud="oci", targets=("v1", "v2"), regions=None, synchronize_all=False, backup=None, **settings):
    return Wanted("nightly", CLOUDS[cloud], list(targets), regions, synchronize_all, backup, dict(SETTINGS, **settings))


def config(cloud_name="oci", params=None, **fields):
    base = {"id": "c1", "name": "nightly", "operation": "cckm_synchronization", "run_at": "0 2 * * *", "disabled": False}
    base.update(fields)
    base["job_config_params"] = dict(
        {"cloud_name": cloud_name, "oci_vaults": ["v1", "v2"], "synchronize_all": False}, **(params or {})
    )
    return base


def test_the_create_body_uses_cms_cloud_name_and_target_field():
    body = create_body(wanted("azure", ["vault1"], backup=True, description="nightly"))
    assert body == {
        "name": "nightly",
        "operation": "cckm_synchronization",
        "run_at": "0 2 * * *",
        "description": "nightly",
        "cckm_synchronization_params": {
            "cloud_name": "AzureCloud",
            "synchronize_all": False,
            "key_vaults": ["vault1"],
            "take_cloud_key_backup": True,
        },
    }
    assert create_body(wanted("luna", [], synchronize_all=True))["cckm_synchronization_params"] == {
        "cloud_name": "hsm-luna",
        "synchronize_all": True,
    }


def test_nothing_differs_when_only_the_spelling_differs():
    current = config(run_at="0 2 * * 0", start_date="2027-01-01T01:00:00+01:00", description=None)
    same = wanted(targets=["v2", "v1"], run_at="0  2 * * sun", start_date="2027-01-01T00:00:00Z", description="")
    assert patch_body(same, current) == {}


def test_only_the_differing_field_is_patched():
    assert patch_body(wanted(run_at="30 3 * * *"), config()) == {"run_at": "30 3 * * *"}
    assert patch_body(wanted(disabled=True), config()) == {"disabled": True}


def test_a_changed_target_sends_the_whole_block_without_cloud_name():
    current = config(params={"regions": ["x"], "vendor_extra": 1})
    body = patch_body(wanted(targets=["v3"]), current)
    assert body == {
        "cckm_synchronization_params": {"oci_vaults": ["v3"], "synchronize_all": False, "regions": ["x"], "vendor_extra": 1}
    }


def test_switching_to_synchronize_all_empties_the_target_list():
    body = patch_body(wanted(targets=[], synchronize_all=True), config())
    assert body["cckm_synchronization_params"]["oci_vaults"] == [] and body["cckm_synchronization_params"]["synchronize_all"]


def test_params_answered_as_json_text_or_under_the_sent_name_are_read():
    as_text = config()
    as_text["job_config_params"] = json.dumps(as_text["job_config_params"])
    under_sent = config()
    under_sent["cckm_synchronization_params"] = under_sent.pop("job_config_params")
    for current in (as_text, under_sent):
        assert patch_body(wanted(), current) == {}
        assert normalize_schedule(current, NOW)["vaults"] == ["v1", "v2"]


def test_a_normalized_schedule_carries_the_collections_names():
    schedule = normalize_schedule(config("AzureCloud", {"key_vaults": ["k"], "take_cloud_key_backup": True}), NOW)
    assert schedule["cloud"] == "azure" and schedule["key_vaults"] == ["k"] and schedule["take_cloud_key_backup"] is True
    assert schedule["next_run_at"] == "2026-12-02T02:00:00Z" and schedule["job_config_params"]["cloud_name"] == "AzureCloud"


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, "2026-12-02T02:00:00Z"),
        ({"disabled": True}, None),
        ({"end_date": "2026-12-01T23:00:00Z"}, None),
        ({"start_date": "2027-03-10T12:00:00Z"}, "2027-03-11T02:00:00Z"),
        ({"start_date": "2027-03-10T02:00:00Z"}, "2027-03-10T02:00:00Z"),
        ({"start_date": "0001-01-01T00:00:00Z", "end_date": "0001-01-01T00:00:00Z"}, "2026-12-02T02:00:00Z"),  # Go's zero time
        ({"run_at": "not a cron"}, None),
    ],
)
def test_next_run_at(fields, expected):
    assert next_run_at(config(**fields), NOW) == expected


@pytest.mark.parametrize(
    "fields, why",
    [
        ({}, None),
        ({"disabled": True, "run_at": "0 2 31 2 *"}, None),  # a paused schedule has no next run by choice
        ({"run_at": "0 2 31 2 *"}, "run_at '0 2 31 2 *' matches no date (February has no 31st day)"),  # set on CM
        ({"end_date": "2026-12-01T00:00:00Z"}, "its end_date 2026-12-01T00:00:00Z has passed"),
    ],
)
def test_why_a_schedule_cm_holds_never_runs(fields, why):
    assert why_it_never_runs(config(**fields), NOW) == why


def test_predicted_shows_the_patch_applied():
    current = config()
    after = predicted(current, patch_body(wanted(targets=["v9"], run_at="0 4 * * *"), current))
    assert after["run_at"] == "0 4 * * *" and after["job_config_params"]["oci_vaults"] == ["v9"]
    assert after["job_config_params"]["cloud_name"] == "oci"


def test_times_are_checked_and_written_in_utc():
    assert checked_time("start_date", "2026-12-24T23:00:00.5+01:00") == "2026-12-24T22:00:00Z"
    assert parse_time("2026-12-24T22:00:00.123456789Z") == datetime.datetime(2026, 12, 24, 22, 0, 0, 123456, tzinfo=UTC)
    with pytest.raises(CckmInputError) as caught:
        checked_time("end_date", "tomorrow")
    assert caught.value.message.startswith("end_date: 'tomorrow' is not an RFC 3339 time")


@pytest.mark.parametrize(
    "run, state",
    [
        ({"status": "completed"}, "succeeded"),
        ({"status": "Running"}, "in_progress"),
        ({"overall_status": "in progress"}, "in_progress"),
        ({"status": "error"}, "failed"),
        ({"status": "completed", "abort": True}, "cancelled"),
        ({"state": "aborted"}, "cancelled"),
        ({"status": "paused"}, "unknown"),
        ({"job_status": "in_progress"}, "in_progress"),  # the field the vendor's CLI filters
        ({"job_status": "scheduled"}, "in_progress"),
        ({"job_status": "completed"}, "succeeded"),
        ({"job_status": "failed"}, "failed"),
        ({"job_status": "aborted"}, "cancelled"),
        ({"job_status": "completed", "status": "failed"}, "succeeded"),  # job_status is read first
    ],
)
def test_run_states_are_normalized_like_jobs(run, state):
    assert normalize_run(run)["state"] == state


def test_each_schedule_gets_its_newest_runs_only():
    runs = [
        {"id": "r%d" % day, "job_config_id": "c1", "status": "completed", "createdAt": "2026-11-%02dT02:00:00Z" % day}
        for day in range(1, 9)
    ]
    runs.append({"id": "other", "job_config": {"id": "c2"}, "status": "failed", "created_at": "2026-11-30T02:00:00Z"})
    schedules = [{"id": "c1"}, {"id": "c2"}, {"id": "c3"}]
    attach_last_runs(schedules, runs, 5)
    assert [run["id"] for run in schedules[0]["last_runs"]] == ["r8", "r7", "r6", "r5", "r4"]
    assert schedules[0]["last_runs"][0]["started_at"] == "2026-11-08T02:00:00Z"
    assert [run["state"] for run in schedules[1]["last_runs"]] == ["failed"] and schedules[2]["last_runs"] == []
