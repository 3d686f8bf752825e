"""Fleet status against the simulator over TLS: every verdict, every way a job names a target, and the cost."""

import datetime

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC, duration_seconds, parse_duration
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import (
    VERDICTS,
    FleetQuery,
    fleet_status,
    offenders_message,
    scopes_for,
)
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.sim_client import client_of

DAY = 86400


def status(sim, clouds=("aws",), scopes=None, max_age=DAY, targets="discovered"):
    query = FleetQuery(scopes_for(list(clouds), list(scopes) if scopes else None), max_age, targets)
    return fleet_status(client_of(sim), query, now=datetime.datetime.fromtimestamp(sim.clock(), UTC))


def verdicts(result):
    return {(t["cloud"], t["scope"], t["target"]): t["verdict"] for t in result["targets"]}


def test_every_verdict_on_aws(sim):
    now = sim.clock()
    for name in ("kms-ok", "kms-failing", "kms-stale", "kms-never", "kms-running", "kms-partial-bad", "kms-partial-ok"):
        sim.add_target("aws", name)
    sim.add_target("aws", "kms-archived", status="archived")
    sim.add_job("aws", filter_values=["kms-ok"], created=now - 3600)
    sim.add_job("aws", filter_values=["kms-failing"], created=now - 7200, outcome="completed")
    sim.add_job("aws", filter_values=["kms-failing"], created=now - 600, outcome="failed")
    sim.add_job("aws", filter_values=["kms-failing"], created=now - 60, duration=3600)  # a retry runs: still failing
    sim.add_job("aws", filter_values=["kms-stale"], created=now - 3 * DAY)
    sim.add_job("aws", filter_values=["kms-running"], created=now - 3 * DAY)
    sim.add_job("aws", filter_values=["kms-running"], created=now - 30, duration=3600)
    # one job, two targets: CM reports an error for the first in detailed_status only
    sim.add_job("aws", filter_values=["kms-partial-bad", "kms-partial-ok"], outcome="partial", created=now - 900)
    sim.add_job("aws", created=now - 5 * DAY, filter_values=[])  # a job of everything (no kms list), long ago
    result = status(sim)
    found = verdicts(result)
    assert found[("aws", "keys", "kms-ok")] == "ok"
    assert found[("aws", "keys", "kms-failing")] == "failing"
    assert found[("aws", "keys", "kms-stale")] == "stale"
    assert found[("aws", "keys", "kms-running")] == "running"
    assert found[("aws", "keys", "kms-never")] == "stale"  # the job of everything five days ago covers it
    assert ("aws", "keys", "kms-archived") not in found
    assert result["in_sync"] is False
    assert set(result["counts"]) == set(VERDICTS)
    assert sum(result["counts"].values()) == len(result["targets"])


def test_a_partial_job_fails_only_the_target_it_reports_an_error_for(sim):
    now = sim.clock()
    sim.add_target("azure", "vault-bad")
    sim.add_target("azure", "vault-good")
    sim.add_job(
        "azure",
        filter_values=["vault-bad", "vault-good"],
        targets=["northcentralus/vault-bad", "northcentralus/vault-good"],
        outcome="partial",
        created=now - 600,
    )
    result = status(sim, clouds=["azure"], scopes=["keys"])
    by_name = {t["target"]: t for t in result["targets"]}
    assert by_name["vault-bad"]["verdict"] == "failing"
    assert by_name["vault-bad"]["last_job"]["errors"][0]["target"] == "northcentralus/vault-bad"
    assert by_name["vault-good"]["verdict"] == "ok" and by_name["vault-good"]["last_job"]["errors"] == []


@pytest.mark.parametrize("form", ["name", "id", "name::subscription"])
def test_a_job_may_name_an_azure_vault_by_name_id_or_name_and_subscription(sim, form):
    vault = sim.add_target("azure", "keyvault-softkeys")
    entry = {
        "name": vault["name"],
        "id": vault["id"],
        "name::subscription": "%s::%s" % (vault["name"], vault["subscription_id"]),
    }[form]
    sim.add_job("azure", filter_values=[entry], created=sim.clock() - 60)
    assert verdicts(status(sim, clouds=["azure"], scopes=["keys"])) == {("azure", "keys", "keyvault-softkeys"): "ok"}


def test_never_when_no_job_covers_a_target_and_seen_mode_only_knows_targets_of_jobs(sim):
    sim.add_target("google", "ring-never")
    sim.add_target("google", "ring-ok")
    sim.add_job("google", filter_values=["ring-ok"], created=sim.clock() - 60)
    expected = {("google", "keys", "ring-never"): "never", ("google", "keys", "ring-ok"): "ok"}
    assert verdicts(status(sim, clouds=["google"])) == expected
    seen = status(sim, clouds=["google"], targets="seen")
    assert verdicts(seen) == {("google", "keys", "ring-ok"): "ok"}
    assert seen["scopes"][0]["targets_from"] == "seen"


def test_a_forbidden_listing_falls_back_to_seen_with_a_warning_naming_the_permission(sim):
    sim.forbidden_listings.add("/api/v1/cckm/oci/vaults")
    sim.add_target("oci", "vault-hidden")
    sim.add_job("oci", filter_values=["vault-finance"], created=sim.clock() - 60)
    result = status(sim, clouds=["oci"])
    assert verdicts(result) == {("oci", "keys", "vault-finance"): "ok"}
    assert result["scopes"][0]["targets_from"] == "seen"
    (warning,) = result["warnings"]
    assert "GET /api/v1/cckm/oci/vaults answered HTTP 403" in warning and "permission" in warning


def test_luna_has_no_target_filter_and_reads_its_completed_jobs_once(sim):
    now = sim.clock()
    sim.add_target("luna", "partition-1")
    sim.add_jobs("luna", 30, created=now - 2 * DAY, outcome="failed", filter_values=["partition-1"])
    sim.add_job("luna", created=now - 3 * DAY, filter_values=["partition-1"])
    assert verdicts(status(sim, clouds=["luna"], scopes=["keys"])) == {("luna", "keys", "partition-1"): "failing"}


def test_cost_reads_only_the_window_and_one_lookup_a_batch_of_undecided_targets(sim):
    now = sim.clock()
    for index in range(12):
        sim.add_target("aws", "kms-%02d" % index)
    sim.add_job("aws", created=now - 20 * DAY, filter_values=["kms-00"])  # kms-00's last success, far down
    sim.add_jobs("aws", 5000, created=now - 10 * DAY, filter_values=["kms-01"])  # old history above it
    for index in range(1, 12):
        sim.add_job("aws", filter_values=["kms-%02d" % index], created=now - 60 * index)
    sim.counters.clear()
    result = status(sim, clouds=["aws"], scopes=["keys"])
    assert len(result["targets"]) == 12
    assert verdicts(result)[("aws", "keys", "kms-00")] == "stale"
    seen = sim.stats()
    assert seen["list_targets"] == 1
    # the newest page (the 11 recent jobs and 89 old ones), the running jobs (both spellings of the
    # status filter), and one look-up for kms-00, the one target that page leaves undecided (a batch of one)
    assert seen["list:aws/keys"] == 1 + 2 + 1, seen


def test_a_job_of_everything_below_the_window_counts_where_cms_target_filter_returns_it(sim, both_target_filters):
    # Unconfirmed: whether CM's target filter also returns the jobs that synchronize everything. Where it
    # does, the look-up finds the old job of everything; where it does not, the history read holds no
    # covering success and the target reads never (the module's notes say so). Same cost either way.
    verdict = "stale" if both_target_filters == "with_all" else "never"
    now = sim.clock()
    sim.add_target("aws", "kms-everything-only")
    sim.add_target("aws", "kms-busy")
    everything = sim.add_job("aws", created=now - 20 * DAY, filter_values=[])
    sim.add_jobs("aws", 150, created=now - 10 * DAY, filter_values=["kms-busy"])  # a page and more above it
    sim.counters.clear()
    result = status(sim, clouds=["aws"], scopes=["keys"])
    target = {t["target"]: t for t in result["targets"]}["kms-everything-only"]
    assert target["verdict"] == verdict
    assert verdicts(result)[("aws", "keys", "kms-busy")] == "stale"
    if verdict == "stale":
        assert target["last_job"]["id"] == everything.id and target["age"] > 19 * DAY
    else:
        assert target["last_job"] is None and target["last_success_at"] is None
    assert sim.stats()["list:aws/keys"] == 1 + 2 + 1  # the newest page, the running jobs, one look-up


def test_more_than_one_page_of_targets_when_cm_caps_its_pages(sim):
    sim.max_limit = 10  # CM's default page; a CM may cap every page there
    for index in range(25):
        sim.add_target("google", "ring-%02d" % index)
    sim.add_job("google", created=sim.clock() - 60, filter_values=[])
    result = status(sim, clouds=["google"])
    assert len(result["targets"]) == 25 and result["counts"]["ok"] == 25
    assert sim.stats()["list_targets"] == 3


def test_fail_when_names_each_offender_its_verdict_and_last_job_then_and_n_more(sim):
    now = sim.clock()
    for index in range(12):
        sim.add_target("sap", "group-%02d" % index)
        name = "group-%02d" % index
        sim.add_job("sap", filter_values=[name], targets=[name], outcome="failed", created=now - 60 - index)
    message = offenders_message(status(sim, clouds=["sap"]), ["failing", "never"])
    assert message.startswith("12 of 12 targets are failing or never: sap keys group-00: failing, last job ")
    assert "Error synchronizing" in message and message.endswith("; and 2 more.")


@pytest.mark.parametrize(
    "text, seconds",
    [("24h", 86400), ("90m", 5400), ("7d", 604800), ("1d12h", 129600), ("45s", 45), ("3600", 3600), (60, 60)],
)
def test_max_age_forms(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "soon", "24x", "-1h", True, 0, "h"])
def test_max_age_refuses_what_is_not_a_duration(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    "text, seconds", [("0", 0), (0, 0), ("0s", 0), (" 0h ", 0), ("-1h", -3600), (-5, -5), ("-90", -90), ("1d12h", 129600)]
)
def test_a_duration_of_0_or_less_is_read_so_its_message_can_say_so(text, seconds):
    assert duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["", None, "soon", "24x", "h", "-", "+5", True, False])
def test_a_duration_is_none_when_it_is_not_one(text):
    assert duration_seconds(text) is None


def test_every_scope_of_every_cloud_is_read_and_a_job_of_everything_covers_each_target(sim):
    now = sim.clock()
    listed = set()
    for cloud in CLOUDS.values():
        for scope in cloud.scopes:
            path = cloud.scope(scope).targets
            if path and path not in listed:
                listed.add(path)
                sim.add_target(cloud.name, "%s-%s-target" % (cloud.name, scope), scope=scope)
            sim.add_job(cloud.name, scope, created=now - 60, filter_values=[])
    result = status(sim, clouds=list(CLOUDS))
    listed_scopes = [(c.name, s) for c in CLOUDS.values() for s, scope in c.scopes.items() if scope.targets]
    assert result["in_sync"] is True and set(result["counts"].values()) == {0, len(listed_scopes)}
    assert len(result["scopes"]) == sum(len(c.scopes) for c in CLOUDS.values())
    assert len(result["targets"]) == len(listed_scopes)
    unlisted = [s for s in result["scopes"] if (s["cloud"], s["scope"]) not in listed_scopes]
    assert unlisted and all(s["targets_from"] == "seen" and s["in_use"] for s in unlisted), "no listing known: targets seen"
    assert sim.stats()["list_targets"] == len(listed)  # each listing once, however many scopes share it
