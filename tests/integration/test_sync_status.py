"""sync_status through ansible-playbook against the simulator: every verdict on every cloud and scope, the
fail_when gate, a forbidden target listing, check mode, jobs of everything, more than one page of targets."""

from __future__ import annotations

from tests.integration.helpers import playbook, task
from tests.simulator.families import FAMILIES, LISTED
from tests.simulator.seed import FLEET_VERDICTS, fleet_target, seed_demo, seed_fleet

STATUS = "ciphertrust.cckm.sync_status"


def verdicts(result):
    return {(t["cloud"], t["scope"], t["target"]): t["verdict"] for t in result["targets"]}


def test_every_verdict_on_every_cloud_and_scope_and_check_mode_gives_the_same(sim, ansible):
    seed_fleet(sim)
    run = ansible.playbook(playbook(task("fleet", STATUS), task("fleet in check mode", STATUS, check_mode=True)))
    assert run.rc == 0, run.output[-3000:]
    result = run.result("fleet")
    expected = {
        (family.cloud, family.scope, fleet_target(family, verdict)): verdict
        for family in LISTED.values()
        for verdict in FLEET_VERDICTS
    }
    assert verdicts(result) == expected
    assert result["counts"] == {verdict: len(LISTED) for verdict in ("ok", "running", "failing", "stale", "never")}
    assert result["in_sync"] is False and result["changed"] is False and result["max_age"] == 86400
    failing = [t for t in result["targets"] if t["verdict"] == "failing"]
    assert all(t["last_job"]["state"] == "partial" and t["last_job"]["outcome"] == "failed" for t in failing)
    assert all(t["last_job"]["errors"][0]["target"] == t["target"] for t in failing)
    ok = [t for t in result["targets"] if t["verdict"] == "ok"]
    assert all(t["last_job"]["errors"] == [] and 590 <= t["age"] <= 900 for t in ok)
    running = [t for t in result["targets"] if t["verdict"] == "running"]
    assert all(t["running_job"]["state"] == "in_progress" and t["age"] > 86400 for t in running)
    assert {(s["cloud"], s["scope"]) for s in result["scopes"]} == set(FAMILIES)
    listed = [s for s in result["scopes"] if (s["cloud"], s["scope"]) in LISTED]
    assert all(s["targets_from"] == "discovered" and s["jobs_in_window"] == 2 for s in listed)
    assert all(not s["in_use"] for s in result["scopes"] if (s["cloud"], s["scope"]) not in LISTED), "no target, no job"
    checked = run.result("fleet in check mode")
    assert verdicts(checked) == expected and checked["changed"] is False


def test_fail_when_fails_after_reporting_naming_each_offender_and_a_forbidden_listing_warns(sim, ansible):
    seed_fleet(sim)
    sim.forbidden_listings.add("/api/v1/cckm/oci/vaults")
    run = ansible.playbook(
        playbook(task("gate", STATUS, {"clouds": ["aws", "oci"], "max_age": "12h", "fail_when": ["failing", "never"]}))
    )
    assert run.rc == 2
    result = run.result("gate")
    message = result["msg"]
    # aws: 2 scopes x 5 targets; oci: the 4 its jobs name
    assert message.startswith("5 of 14 targets are failing or never: "), message
    for name in ("aws-kms-failing", "aws-custom-key-stores-failing", "aws-kms-never", "aws-custom-key-stores-never"):
        assert name in message, message
    assert "oci keys oci-vaults-failing: failing" in message and "ok" not in message.replace("keys", "")
    assert "aws keys aws-kms-failing: failing, last job " in message and "Error listing keys" in message
    assert "aws keys aws-kms-never: never, no finished job" in message
    # the result is all there, failed or not; oci's targets come from its jobs (its never target cannot show)
    assert len(result["targets"]) == 14
    oci = [t for t in result["targets"] if t["cloud"] == "oci"]
    assert {t["target"] for t in oci} == {"oci-vaults-%s" % v for v in ("ok", "failing", "stale", "running")}
    assert [s["targets_from"] for s in result["scopes"] if s["cloud"] == "oci"] == ["seen"]
    warnings = " ".join(result["warnings"])
    assert "GET /api/v1/cckm/oci/vaults answered HTTP 403" in warnings and "permission" in warnings


def test_jobs_of_everything_cover_every_target_and_targets_span_pages(sim, ansible):
    sim.max_limit = 10  # a CM capping every page at its default of 10
    now = sim.clock()
    for index in range(23):
        sim.add_target("google", "ring-%02d" % index)
    sim.add_target("luna", "partition-a")
    sim.add_job("google", created=now - 3600, filter_values=[])  # synchronize_all: no key_rings list
    sim.add_job("luna", created=now - 7200)
    run = ansible.playbook(playbook(task("fleet", STATUS, {"clouds": ["google", "luna"], "scopes": ["keys"], "max_age": "90m"})))
    assert run.rc == 0, run.output[-3000:]
    result = run.result("fleet")
    assert result["counts"] == {"ok": 23, "running": 0, "failing": 0, "stale": 1, "never": 0}
    assert verdicts(result)[("luna", "keys", "partition-a")] == "stale"
    assert result["in_sync"] is False and result["max_age"] == 5400
    assert sim.stats()["list_targets:/api/v1/cckm/google/key-rings"] == 3


def test_jobs_but_no_listed_target_take_targets_from_the_jobs_and_warn(sim, ansible):
    # the simulator as `make simulator --seed demo` starts it: jobs in every scope, empty target listings
    seed_demo(sim, running_for=0)
    run = ansible.adhoc(STATUS, "clouds=aws,azure max_age=12h")
    assert run.rc == 0, run.output[-3000:]
    result = run.result("")
    assert result["in_sync"] is False and result["targets"], "a failed job is never hidden behind an empty listing"
    assert {s["targets_from"] for s in result["scopes"]} == {"seen"} and all(s["in_use"] for s in result["scopes"])
    assert {t["target"] for t in result["targets"] if t["cloud"] == "aws"} == {"kms-prod"}
    assert result["counts"]["failing"] == 5, "each scope's newest job failed"
    assert "GET /api/v1/cckm/aws/kms) answered no live target, while aws keys has jobs that name targets" in run.flat_output


def test_a_cm_with_no_target_and_no_job_is_never_in_sync_and_fails_any_gate(sim, ansible):
    run = ansible.playbook(
        playbook(
            task("report", STATUS, {"clouds": ["aws", "sap"]}),
            task("gate", STATUS, {"clouds": ["aws", "sap"], "fail_when": ["stale"]}, ignore_errors=True),
        )
    )
    assert run.rc == 0, run.output[-3000:]
    result = run.result("report")
    assert result["in_sync"] is False and result["targets"] == [] and set(result["counts"].values()) == {0}
    assert [s["in_use"] for s in result["scopes"]] == [False, False, False]
    assert "No target found in the 3 scopes read (aws keys, aws custom_key_stores, sap keys), with 0 jobs" in run.flat_output
    assert run.status("gate") == "failed"
    assert run.result("gate")["msg"].startswith("No target found, so nothing was checked (fail_when: stale): 3 scopes read")


def test_300_targets_over_many_pages_each_get_their_verdict_in_batched_look_ups(sim, ansible):
    sim.max_limit = 50  # a CM capping pages at 50: the target listing, the window and each batch span pages
    now = sim.clock()
    kinds = ("ok", "failing", "stale", "running", "never")
    names = {kind: [] for kind in kinds}
    for index in range(300):
        kind = kinds[index % 5]
        names[kind].append("acct-%03d-%s" % (index, kind))
        sim.add_target("aws", names[kind][-1])
    specs = [dict(filter_values=["retired-%d" % n], created=now - 2 * 86400 - n) for n in range(400)]  # history
    specs += [dict(filter_values=[name], created=now - 600 - n) for n, name in enumerate(names["ok"])]
    specs += [dict(filter_values=[name], created=now - 7200 - n) for n, name in enumerate(names["failing"])]
    specs += [dict(filter_values=[name], created=now - 1200 - n, outcome="partial") for n, name in enumerate(names["failing"])]
    for kind in ("stale", "running"):  # their last success lies below the history: looked up
        specs += [dict(filter_values=[name], created=now - 3 * 86400 - n) for n, name in enumerate(names[kind])]
    specs += [dict(filter_values=[name], created=now - 300 - n, duration=3600) for n, name in enumerate(names["running"])]
    sim.add_many("aws", "keys", specs)
    sim.counters.clear()
    run = ansible.playbook(playbook(task("fleet", STATUS, {"clouds": ["aws"], "scopes": ["keys"]})))
    assert run.rc == 0, run.output[-3000:]
    result = run.result("fleet")
    assert {t["target"]: t["verdict"] for t in result["targets"]} == {name: kind for kind in kinds for name in names[kind]}
    assert result["counts"] == {kind: 60 for kind in kinds} and result["in_sync"] is False
    stale = [t for t in result["targets"] if t["verdict"] == "stale"]
    assert all(3 * 86400 <= t["age"] < 3 * 86400 + 600 for t in stale), "each its own success, found by a look-up"
    seen = sim.stats()
    assert seen["list_targets"] == 6, "300 targets in pages of 50"
    # the window (60 running, 60 ok, 60 failing, the 60 older successes of the failing: 240 jobs) in pages of 50 down
    # to the history, 2 running listings (one a spelling), and the 180 undecided in 4 batches of 50 or fewer (the
    # stale and running have 1 or 2 jobs each: 2 pages a batch at most): not one look-up a target
    assert seen["list:aws/keys"] <= 5 + 2 + 2 + 4 * 2, seen
