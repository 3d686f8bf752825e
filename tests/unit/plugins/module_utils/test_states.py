import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    STATES,
    job_errors,
    newest_first,
    normalize_job,
    summarize_states,
    unknown_status_warnings,
)


@pytest.mark.parametrize(
    "status, abort, detailed, expected",
    [
        ("in_progress", False, {"a": "in_progress"}, "in_progress"),
        ("in progress", False, {"a": "in progress"}, "in_progress"),
        ("In Progress", False, {}, "in_progress"),
        ("in_progress", True, {}, "in_progress"),  # cancel asked, not finished yet
        ("completed", False, {"123456789012/ap-south-1": "region synchronized successfully"}, "succeeded"),
        ("completed", False, {"00DB000000040bIMAQ": "Error listing keys from SFDC: "}, "partial"),
        ("completed", True, {"a": "in_progress"}, "cancelled"),
        ("aborted", True, {"123456789012/us-east-1": "in_progress"}, "cancelled"),
        ("cancelled", False, {}, "cancelled"),
        ("failed", False, {"a": "Error synchronizing"}, "failed"),
        ("error", False, {}, "failed"),
        ("paused", False, {}, "unknown"),
        ("Running", False, {}, "in_progress"),  # the spellings a scheduler run may use count for jobs too
        ("success", True, {}, "cancelled"),
        (None, False, {}, "unknown"),
    ],
)
def test_state_of_every_spelling(status, abort, detailed, expected):
    job = normalize_job({"id": "j", "overall_status": status, "abort": abort, "detailed_status": detailed})
    assert job["state"] == expected
    assert job["overall_status"] == status  # raw field kept beside the normalized one


def test_errors_name_target_and_message():
    detailed = {"ok": "key ring synchronized successfully", "bad": "Error listing keys from SFDC: ", "x": "Access denied"}
    assert job_errors({"detailed_status": detailed}) == [
        {"target": "bad", "message": "Error listing keys from SFDC: "},
        {"target": "x", "message": "Access denied"},
    ]
    assert job_errors({"detailed_status": "not a dict"}) == []


def test_summary_has_every_state():
    jobs = [normalize_job({"overall_status": s}) for s in ("completed", "completed", "in progress", "weird")]
    summary = summarize_states(jobs)
    assert set(summary) == set(STATES)
    assert summary == {"in_progress": 1, "succeeded": 2, "partial": 0, "failed": 0, "cancelled": 0, "unknown": 1}


def test_newest_first_and_unknown_warning_once_per_value():
    jobs = [normalize_job({"id": str(i), "createdAt": "2020-11-05T06:3%d:00Z" % i, "overall_status": "paused"}) for i in range(3)]
    assert [j["id"] for j in newest_first(jobs)] == ["2", "1", "0"]
    warnings = unknown_status_warnings(jobs)
    assert len(warnings) == 1 and "'paused'" in warnings[0] and "not treated as finished" in warnings[0]
