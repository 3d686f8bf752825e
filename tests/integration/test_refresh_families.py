"""CM's other synchronizing families - Luna refresh, DSM and external CM - through ansible-playbook: listed, started,
waited for and in the fleet, with the start body's unconfirmed field played both ways by the simulator."""

from __future__ import annotations

import time

import pytest

from tests.integration.helpers import playbook, task

FAST = {"poll_interval": 0.5, "max_poll_interval": 1}


def test_each_family_is_listed_started_waited_for_and_in_the_fleet(sim, ansible):
    now = time.time()
    refresh = sim.add_job("luna", "refresh", filter_values=["partition-1"], created=now - 60)
    sim.add_target("luna", "partition-1", scope="refresh")
    dsm = sim.add_job("dsm", filter_values=["domain-finance"], created=now - 120)
    sim.starting.polls = 1
    run = ansible.playbook(
        playbook(
            task("luna refresh", "ciphertrust.cckm.luna_sync_job_info", {"scope": "refresh"}),
            task("dsm", "ciphertrust.cckm.dsm_sync_job_info"),
            task(
                "external", "ciphertrust.cckm.sync_job", dict(cloud="external_cm", connections=["cm-dr-site"], wait=True, **FAST)
            ),
            task("dsm wait", "ciphertrust.cckm.sync_job_wait", {"cloud": "dsm", "id": [dsm.id]}),
            task("fleet", "ciphertrust.cckm.sync_status", {"clouds": ["luna", "dsm", "external_cm"], "max_age": "1h"}),
        )
    )
    assert run.rc == 0, run.output[-3000:]
    assert [j["id"] for j in run.result("luna refresh")["sync_jobs"]] == [refresh.id]
    assert [j["id"] for j in run.result("dsm")["sync_jobs"]] == [dsm.id]
    started = run.result("external")
    assert started["changed"] is True and started["targets"] == [
        {
            "target": "cm-dr-site",
            "state": "succeeded",
            "job_id": started["sync_jobs"][0]["id"],
            "errors": [],
            "finished_at": started["sync_jobs"][0]["completed_at"],
        }
    ]
    assert sim.start_bodies == [{"path": "/api/v1/cckm/external-cm/refresh", "body": {"connections": ["cm-dr-site"]}}]
    assert run.result("dsm wait")["sync_jobs"][0]["state"] == "succeeded"
    verdicts = {(t["cloud"], t["scope"], t["target"]): t["verdict"] for t in run.result("fleet")["targets"]}
    assert verdicts[("luna", "refresh", "partition-1")] == "ok"
    assert verdicts[("dsm", "keys", "domain-finance")] == "ok" and verdicts[("external_cm", "keys", "cm-dr-site")] == "ok"
    scopes = {(s["cloud"], s["scope"]): s["targets_from"] for s in run.result("fleet")["scopes"]}
    assert scopes[("dsm", "keys")] == "seen", "no target listing is known for DSM: its targets come from its jobs"


@pytest.mark.parametrize("answer", ["everything", "refuse"])
def test_a_cm_that_names_the_start_field_otherwise_is_said_plainly(sim, ansible, answer):
    sim.starting.start_fields = {"dsm/keys": "domain_ids"}  # the field the vendor's pages do not confirm
    sim.starting.unknown_field = answer
    sim.starting.polls = 1
    run = ansible.adhoc("ciphertrust.cckm.sync_job", "cloud=dsm domains=domain-finance")
    if answer == "everything":
        assert run.rc == 0, run.output[-2000:]
        assert "started a synchronization of every dsm target, though this start named domains=domain-finance" in run.flat_output
        assert "not confirmed by the vendor's API pages" in run.flat_output
    else:
        assert run.rc == 2 and "HTTP 400" in run.flat_output
        assert "field for the targets of CipherTrust Data Security Manager is not confirmed" in run.flat_output
        assert "Try synchronize_all: true" in run.flat_output
    assert sim.stats()["start_requests"] == 1
