"""8 inventory hosts with forks 4, each listing and waiting on its own jobs at once.

(make bench runs 50 hosts with forks 25 for the fan-out figures; here the point is that concurrent
module runs never mix up results, logins or requests.)
"""

from __future__ import annotations

import time

from tests.integration.helpers import local_inventory

HOSTS = 8
FORKS = 4

PLAYBOOK = """
- hosts: cms
  gather_facts: false
  tasks:
    - name: info
      ciphertrust.cckm.aws_sync_job_info:
        kms: ["kms-{{ inventory_hostname }}"]

    - name: wait
      ciphertrust.cckm.sync_job_wait:
        cloud: aws
        id: "{{ job_ids[inventory_hostname] }}"
        poll_interval: 1
        max_poll_interval: 2
"""


def test_many_hosts_list_and_wait_at_once_with_their_own_results(sim, ansible, tmp_path):
    now = time.time()
    finished, running = {}, {}
    for index in range(HOSTS):
        host = "cm%02d" % index
        finished[host] = sim.add_job("aws", filter_values=["kms-" + host], created=now - 60).id
        running[host] = sim.add_job("aws", filter_values=["kms-" + host], duration=3, starts_when_seen=True).id
    job_ids = {host: [job] for host, job in running.items()}
    inventory = local_inventory(tmp_path / "hosts.yml", {host: {} for host in running}, job_ids=job_ids)
    run = ansible.playbook(PLAYBOOK, "-i", inventory, "--forks", str(FORKS), timeout=600)
    assert run.rc == 0, run.output[-3000:]

    listed = {r["host"]: r["result"] for r in run.records if r["task"] == "info"}
    waited = {r["host"]: r["result"] for r in run.records if r["task"] == "wait"}
    assert set(listed) == set(waited) == set(running)
    for host in running:
        assert sorted(job["id"] for job in listed[host]["sync_jobs"]) == sorted([finished[host], running[host]]), host
        assert [(job["id"], job["state"]) for job in waited[host]["sync_jobs"]] == [(running[host], "succeeded")], host

    stats = sim.stats()
    polls = sum(result["polls"] for result in waited.values())
    assert stats["logins"] == 2 * HOSTS, "one login per module run"
    assert stats["list"] == HOSTS and stats["get"] == polls
    assert stats["requests"] == 2 * HOSTS + HOSTS + polls, stats
    assert "unauthorized" not in stats and stats.get("login_failures", 0) == 0
