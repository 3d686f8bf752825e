"""The event source's stale and fresh events, in-process against the simulator: once each, across restarts."""

import asyncio
import datetime
import logging

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC
from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import SourceConfig, SourceConfigError, SyncJobSource

HOUR = 3600


class Stop(Exception):
    pass


def config(sim, checkpoint, **args):
    environ = {"CM_ADDRESS": sim.address, "CM_USERNAME": sim.username, "CM_PASSWORD": sim.password, "CM_CA_CERT": sim.ca_file}
    return SourceConfig.from_args(
        dict({"cloud": "aws", "events": ["stale", "fresh"], "checkpoint": str(checkpoint)}, **args), environ
    )


def polls(cfg, count, now=None):
    """The events of ``count`` polls of a new source (a restart each call), the checkpoint carried over."""
    queue = asyncio.Queue()
    done = []

    async def sleep(_seconds):
        done.append(1)
        if len(done) >= count:
            raise Stop()

    source = SyncJobSource(cfg, logging.getLogger("test"), sleep=sleep, now=(lambda: now) if now else None)
    try:
        asyncio.run(source.run(queue))
    except Stop:
        pass
    events = []
    while not queue.empty():
        events.append(queue.get_nowait())
    return events


def test_stale_once_then_fresh_once_across_restarts(sim, tmp_path):
    checkpoint = tmp_path / "checkpoint.json"
    now = sim.clock()
    sim.add_target("aws", "kms-old")
    sim.add_target("aws", "kms-new")
    sim.add_job("aws", filter_values=["kms-old"], created=now - 2 * 24 * HOUR)
    sim.add_job("aws", filter_values=["kms-new"], created=now - HOUR)
    cfg = config(sim, checkpoint, scope="keys")
    first = polls(cfg, 2)
    assert [(e["state"], e["target"]["target"], e["previous_state"]) for e in first] == [("stale", "kms-old", None)]
    assert first[0]["target"]["verdict"] == "stale" and first[0]["meta"]["uuid"]
    assert polls(cfg, 2) == [], "a restart with the checkpoint sends no stale event twice"
    sim.add_job("aws", filter_values=["kms-old"])  # it synchronizes again
    again = polls(cfg, 1)
    assert [(e["state"], e["target"]["target"], e["previous_state"]) for e in again] == [("fresh", "kms-old", "stale")]
    assert polls(cfg, 2) == []
    # a day later, both last successes have passed max_age: each is stale once
    later = datetime.datetime.fromtimestamp(now + 25 * HOUR, UTC)
    day_after = polls(cfg, 2, now=later)
    assert sorted(e["target"]["target"] for e in day_after) == ["kms-new", "kms-old"]
    assert {e["state"] for e in day_after} == {"stale"}
    assert polls(cfg, 2, now=later) == []


def test_the_checks_do_not_read_the_targets_every_poll(sim, tmp_path):
    sim.add_target("aws", "kms-new")
    sim.add_job("aws", filter_values=["kms-new"], created=sim.clock() - HOUR)
    polls(config(sim, tmp_path / "c.json", scope="keys"), 5)
    assert sim.stats()["list_targets"] == 1, "read once; the next deadline is 23 h away"


def test_max_age_and_events_are_checked_before_any_request(sim, tmp_path):
    for args, option in (({"max_age": "soon"}, "max_age"), ({"events": ["stael"]}, "events")):
        try:
            config(sim, tmp_path / "c.json", **args)
        except SourceConfigError as error:
            assert "%s:" % option in str(error)
        else:
            raise AssertionError("accepted %r" % args)
    assert sim.stats().get("requests", 0) == 0
