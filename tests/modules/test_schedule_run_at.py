"""sync_schedule's run_at in-process: a date no month has is refused before any request, a date some year has is written.

Cron runs a day when both day fields match, or, with both restricted (neither ``*``), when either does: so
``0 0 31 2 1`` runs every Monday of February, and ``0 0 29 2 *`` in leap years. Neither is refused.
"""

from __future__ import annotations

import pytest

NIGHTLY = {"name": "nightly", "cloud": "azure", "key_vaults": ["vault-prod"]}


@pytest.mark.parametrize(
    "run_at, why",
    [
        ("0 2 31 2 *", "February has no 31st day"),
        ("0 0 30 2 *", "February has no 30th day"),
        ("0 0 31 4,6,9,11 *", "April, June, September and November have no 31st day"),
    ],
)
def test_a_run_at_that_never_runs_fails_before_any_request_and_writes_nothing(sim, run_module, run_at, why):
    result = run_module("sync_schedule", dict(NIGHTLY, run_at=run_at))
    assert result["failed"] is True and result["changed"] is False, result
    assert result["msg"].startswith("run_at: %r never runs: %s" % (run_at, why)), result["msg"]
    assert sim.scheduler.writes == [] and sim.scheduler.configs == {}
    assert sim.stats().get("requests", 0) == 0 and sim.stats().get("logins", 0) == 0, "refused before the login"


@pytest.mark.parametrize("run_at", ["0 0 29 2 *", "0 0 31 2 1"])
def test_a_run_at_that_runs_in_some_year_or_on_either_day_field_is_written(sim, run_module, run_at):
    result = run_module("sync_schedule", dict(NIGHTLY, run_at=run_at))
    assert result["failed"] is False and result["changed"] is True, result
    assert result["schedule"]["next_run_at"] is not None and not result.get("warnings"), result
    assert [write["body"]["run_at"] for write in sim.scheduler.writes] == [run_at]
