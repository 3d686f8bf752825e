"""One look at a scope (newest first, then by id) and the event source's poll on it, over a fake CM."""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import Watch, poll_watch
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.scan import look
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import FakeCM, job

QUERY = JobQuery(CLOUDS["aws"])
WATCH = Watch(CLOUDS["aws"], "keys", [])


def finished(count, day="2026-06-01"):
    return [job("f%05d" % n, "completed", created="%sT00:%02d:%02d" % (day, n // 60 % 60, n % 60)) for n in range(count)]


def stuck():
    return [
        job("stuck-1", "in_progress", created="2022-01-01T00:00:00"),
        job("stuck-2", "in progress", created="2022-02-01T00:00:00"),
    ]


def requests(cm):
    return len(cm.pages) + len(cm.gets)


def test_a_first_look_is_the_newest_page_and_the_status_listings_whatever_the_history():
    for size in (1000, 10000):
        cm = FakeCM(finished(size) + stuck())
        seen = look(cm, QUERY, [], None, page_size=50)
        assert {"stuck-1", "stuck-2"} <= {j["id"] for j in seen.jobs}
        assert requests(cm) == 3 and cm.gets == [], "newest page + one listing per spelling (exact filter)"
        assert seen.newest == max(j["createdAt"] for j in cm.jobs)


def test_a_later_look_reads_back_to_its_mark_and_asks_running_jobs_by_id():
    cm = FakeCM(finished(10000) + stuck())
    first = look(cm, QUERY, [], None, page_size=50)
    cm.pages.clear()
    again = look(cm, QUERY, ["stuck-1", "stuck-2"], first.newest, page_size=50)
    assert [skip for _q, skip, _l in cm.pages] == [0] and sorted(cm.gets) == ["stuck-1", "stuck-2"]
    assert again.gone == [] and again.newest == first.newest
    cm.delete("stuck-2")
    gone = look(cm, QUERY, ["stuck-1", "stuck-2"], first.newest, page_size=50)
    assert gone.gone == ["stuck-2"]


def test_the_event_source_costs_one_listing_and_one_get_per_stuck_job_a_poll_at_every_size():
    costs = {}
    for size in (1000, 10000, 100000):
        cm = FakeCM(finished(size) + stuck())
        seen = {"running": {}, "newest": ""}
        poll_watch(cm, WATCH, seen, fresh=True)
        first = requests(cm)
        later = []
        for _poll in range(3):
            cm.pages.clear()
            cm.gets.clear()
            assert poll_watch(cm, WATCH, seen, fresh=False) == []  # nothing changed: nothing sent
            later.append(requests(cm))
        costs[size] = (first, later)
    assert costs == {size: (3, [3, 3, 3]) for size in (1000, 10000, 100000)}, costs  # 1 listing + 2 GETs later on


def test_a_stuck_job_that_ends_is_sent_once_and_then_costs_nothing():
    cm = FakeCM(finished(500) + stuck())
    seen = {"running": {}, "newest": ""}
    started = poll_watch(cm, WATCH, seen, fresh=True)
    assert sorted(e["sync_job"]["id"] for e in started) == ["stuck-1", "stuck-2"]
    cm.set_status("stuck-1", "failed")
    events = poll_watch(cm, WATCH, seen, fresh=False)
    assert [(e["sync_job"]["id"], e["state"], e["previous_state"]) for e in events] == [("stuck-1", "failed", "in_progress")]
    cm.gets.clear()
    poll_watch(cm, WATCH, seen, fresh=False)
    assert cm.gets == ["stuck-2"]


def test_jobs_that_started_and_ended_between_two_polls_are_sent_from_the_newest_page():
    cm = FakeCM(finished(500))
    seen = {"running": {}, "newest": ""}
    assert poll_watch(cm, WATCH, seen, fresh=True) == []  # a fresh source sends no past
    cm.jobs.insert(0, job("quick", "failed", created="2027-01-01T00:00:00"))
    events = poll_watch(cm, WATCH, seen, fresh=False)
    assert [(e["sync_job"]["id"], e["state"]) for e in events] == [("quick", "failed")]
    assert poll_watch(cm, WATCH, seen, fresh=False) == []
