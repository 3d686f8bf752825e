"""The event source's main() with an asyncio queue, against the simulator over HTTPS."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from ansible_collections.ciphertrust.cckm.extensions.eda.plugins.event_source.sync_jobs import main
from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import SourceConfigError, retry_line


def connection(sim, **extra):
    return dict(address=sim.address, username=sim.username, password=sim.password, ca_cert=sim.ca_file, **extra)


def collect(args, until, timeout=20.0):
    """Run main() until ``until(events)`` holds (or ``timeout``), then stop it; returns (events, error)."""

    async def run():
        queue: asyncio.Queue = asyncio.Queue()
        task = asyncio.ensure_future(main(queue, args))
        events = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not task.done():
            try:
                events.append(await asyncio.wait_for(queue.get(), 0.1))
            except asyncio.TimeoutError:
                pass
            if until(events):
                break
        await asyncio.sleep(0.3)  # a last poll or two: nothing more may come
        while not queue.empty():
            events.append(queue.get_nowait())
        error = task.exception() if task.done() else None
        task.cancel()
        try:
            await task
        except (asyncio.CancelledError, Exception):
            pass
        return events, error

    return asyncio.run(run())


def keys(events):
    return [(e["sync_job"]["id"], e["state"], e["previous_state"]) for e in events]


def test_started_and_finished_events_for_every_cloud_once_each(sim):
    old = {name: sim.add_job(name, created=time.time() - 600).id for name in CLOUDS}  # finished before: never sent
    jobs = {name: sim.add_job(name, duration=1.5).id for name in CLOUDS}
    events, error = collect(
        connection(sim, cloud="all", interval=0.2), lambda ev: len([e for e in ev if e["state"] == "succeeded"]) >= len(CLOUDS)
    )
    assert error is None, error
    for name, job_id in jobs.items():
        mine = [e for e in events if e["sync_job"]["id"] == job_id]
        assert [(e["state"], e["previous_state"], e["cloud"]) for e in mine] == [
            ("in_progress", None, name),
            ("succeeded", "in_progress", name),
        ]
        assert mine[0]["scope"] == CLOUDS[name].default_scope and mine[0]["meta"]["uuid"] != mine[1]["meta"]["uuid"]
    assert not [e for e in events if e["sync_job"]["id"] in old.values()]
    assert len({e["meta"]["uuid"] for e in events}) == len(events), "no duplicate across polls"
    assert sim.stats()["logins"] == 1


def test_events_choose_the_transitions_and_a_filter_narrows_one_cloud(sim):
    mine = sim.add_job("aws", filter_values=["kms-a"], duration=1.0).id
    sim.add_job("aws", filter_values=["kms-b"], duration=1.0)
    events, error = collect(
        connection(sim, cloud="aws", kms=["kms-a"], events=["finished"], interval=0.2), lambda ev: len(ev) >= 1
    )
    assert error is None and keys(events) == [(mine, "succeeded", "in_progress")]


def test_the_checkpoint_sends_what_ended_while_the_source_was_down_exactly_once(sim, tmp_path):
    checkpoint = str(tmp_path / "checkpoint.json")
    args = connection(sim, cloud="google", interval=0.2, checkpoint=checkpoint)
    long = sim.add_job("google", duration=3.0)
    first, error = collect(args, lambda ev: len(ev) >= 1)
    assert error is None, error
    assert keys(first) == [(long.id, "in_progress", None)]
    assert long.id in json.load(open(checkpoint))["watches"]["google/keys"]["running"]
    time.sleep(3.2)  # the source is down: the job ends, and another one starts and ends
    quick = sim.add_job("google", duration=0.1)
    time.sleep(0.3)
    second, error = collect(args, lambda ev: len(ev) >= 2, timeout=5)
    assert error is None, error
    assert sorted(keys(second)) == sorted([(long.id, "succeeded", "in_progress"), (quick.id, "succeeded", None)])
    third, error = collect(args, lambda ev: False, timeout=1.0)
    assert third == [] and error is None, "nothing is sent twice"


def test_an_unreadable_checkpoint_is_a_clear_message_and_a_missing_one_a_fresh_start(sim, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    events, error = collect(connection(sim, checkpoint=str(bad)), lambda ev: False, timeout=2)
    assert isinstance(error, SourceConfigError) and "checkpoint: %r cannot be read" % str(bad) in str(error)
    sim.add_job("sap", duration=600)
    events, error = collect(connection(sim, cloud="sap", checkpoint=str(tmp_path / "new.json")), lambda ev: len(ev) >= 1)
    assert error is None and len(events) == 1 and (tmp_path / "new.json").exists()


def test_a_503_burst_and_an_expired_token_are_ridden_out(sim, caplog):
    caplog.set_level("INFO")
    sim.jwt_lifetime = 1.0
    job = sim.add_job("oci", duration=2.5).id
    sim.inject("status", status=503, count=8, match="list", after=3)  # after the first look's 3 listings
    sim.inject("expire_tokens", match="list", after=12)
    events, error = collect(connection(sim, cloud="oci", interval=0.2), lambda ev: len(ev) >= 2, timeout=30)
    assert error is None, error
    assert keys(events) == [(job, "in_progress", None), (job, "succeeded", "in_progress")]
    stats = sim.stats()
    assert stats["fault_status"] == 8 and stats["logins"] == 1 and stats.get("refreshes", 0) >= 1
    lines = [record.getMessage() for record in caplog.records if "polling again" in record.getMessage()]
    assert lines and all("CM answered HTTP 503: " in line and "Gave up" not in line for line in lines), lines
    assert all(line.split("; polling again in ")[1].endswith(" s") for line in lines), lines


def test_the_retry_line_says_what_happened_and_what_comes_next():
    unreachable = CckmError("Cannot connect to CipherTrust Manager at 127.0.0.1:1.").gave_up_after(6)  # as the client does
    assert retry_line(unreachable) == "CM unreachable: Cannot connect to CipherTrust Manager at 127.0.0.1:1 (6 attempts)"
    busy = CckmError("CipherTrust Manager answered HTTP 503 (NCERRServiceUnavailable).", status=503)
    assert retry_line(busy) == "CM answered HTTP 503: CipherTrust Manager answered HTTP 503 (NCERRServiceUnavailable)"


def test_a_wrong_password_ends_the_source_with_a_clear_message_and_no_secret(sim):
    args = connection(sim, cloud="aws")
    args["password"] = "Wrong-Password-99"
    events, error = collect(args, lambda ev: False, timeout=5)
    assert isinstance(error, SourceConfigError) and "Login to CipherTrust Manager" in str(error)
    assert "Wrong-Password-99" not in str(error) and events == []


@pytest.mark.parametrize(
    "args, words",
    [
        ({"cloud": "not-a-cloud"}, "cloud: 'not-a-cloud' is not a cloud of this collection; give one of aws, azure"),
        ({"cloud": ["aws", "amazon"]}, "cloud: 'amazon' is not a cloud of this collection"),
        ({"cloud": ["aws", "azure"], "scope": "keys"}, "scope: applies to one cloud only"),
        ({"cloud": "aws", "key_vaults": ["v"]}, "key_vaults: is not the scope filter of aws"),
        ({"interval": 0}, "interval: must be more than 0"),
        ({"events": ["ended"]}, "events: may list started, finished, stale and fresh"),
        ({"colour": "red"}, "colour: is not an argument"),
        ({"validate_certs": "maybe"}, "validate_certs: must be true or false"),
        (
            {"checkpoint": "/nonexistent/dir/c.json"},
            "checkpoint: the directory /nonexistent/dir of '/nonexistent/dir/c.json' does not exist; create it",
        ),
        ({"address": "http://cm"}, "address: 'http://cm' uses http://"),
    ],
)
def test_bad_args_end_the_source_at_once_naming_the_argument(sim, args, words):
    events, error = collect(dict(connection(sim), **args), lambda ev: False, timeout=2)
    assert isinstance(error, SourceConfigError) and words in str(error), error
    assert sim.stats().get("requests", 0) == 0
