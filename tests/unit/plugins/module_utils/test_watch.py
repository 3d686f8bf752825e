"""FilterWatch and IdWatch over a fake CM: what each poll reads, jobs appearing and disappearing."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import FilterWatch, IdWatch
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import FakeCM, job

QUERY = JobQuery(CLOUDS["aws"])  # a whole scope: a wait that names targets is a TargetWatch


def history(running=("10",), finished=12):
    """``finished`` finished jobs (ids 01..), then the running ones (newer)."""
    jobs = [job("%02d" % i, "completed") for i in range(1, finished + 1)]
    return jobs + [job(job_id, "in_progress") for job_id in running]


def ids(jobs):
    return [j["id"] for j in jobs]


def listings(cm):
    """(skip, overall_status) of each listing request since the last clear."""
    return [(skip, query.get("overall_status")) for query, skip, _limit in cm.pages]


@pytest.mark.parametrize("lenient", [False, True], ids=["exact status filter", "lenient status filter"])
def test_first_poll_finds_running_jobs_by_the_status_filter_never_by_reading_the_history(lenient):
    running = job("20", "in progress", created="2026-01-01T00:00:05")  # under the newest page, CM's other spelling
    cm = FakeCM(history(running=(), finished=10000) + [running], lenient=lenient)
    watch = FilterWatch(cm, QUERY, page_size=5)
    assert ids(watch.poll()) == ["20"]
    # a lenient filter shows itself by answering the other spelling: its second listing is not needed
    spellings = [(0, "in_progress")] if lenient else [(0, "in_progress"), (0, "in progress")]
    assert listings(cm) == [(0, None)] + spellings, "the newest page, then one listing per spelling"
    assert cm.gets == []


def test_a_running_job_below_the_newest_page_is_asked_for_by_id_and_nothing_is_reread():
    stuck = job("00", "in_progress", created="2022-03-01T00:00:00")  # abandoned years ago, under the history
    cm = FakeCM(history(running=(), finished=10000) + [stuck])
    watch = FilterWatch(cm, QUERY, page_size=5)
    assert ids(watch.poll()) == ["00"]
    for _poll in range(3):  # nothing changed: one newest page and one GET for the stuck job, at any history size
        cm.pages.clear()
        cm.gets.clear()
        assert ids(watch.poll()) == ["00"]
        assert listings(cm) == [(0, None)] and cm.gets == ["00"]
    cm.set_status("00", "failed")
    assert [(j["id"], j["state"]) for j in watch.poll()] == [("00", "failed")]


def test_later_polls_read_newest_pages_only_back_to_the_previous_poll():
    cm = FakeCM(history(running=("20",), finished=100))
    watch = FilterWatch(cm, QUERY, page_size=5)
    watch.poll()
    for number in range(12):  # more new jobs than fit on a page started since: read back to the last poll
        cm.jobs.insert(0, job("3%02d" % number, "completed", created="2027-01-01T00:00:%02d" % number))
    cm.pages.clear()
    watch.poll()
    # pages of 5 + the 1 job watched, back to the last poll's newest job; the running one, below them, by id
    assert listings(cm) == [(0, None), (6, None), (12, None)]
    assert cm.gets == ["20"]


def test_many_running_jobs_below_the_newest_page_are_read_on_the_listing_not_one_by_one():
    cm = FakeCM(history(running=tuple("r%02d" % n for n in range(40)), finished=100))
    watch = FilterWatch(cm, QUERY, page_size=5)
    assert len(watch.poll()) == 40
    for number in range(60):  # a burst of new jobs pushes the 40 running ones below the first page
        cm.jobs.insert(0, job("n%02d" % number, "completed", created="2027-01-01T00:01:%02d" % number))
    cm.pages.clear()
    assert len(watch.poll()) == 40
    assert len(cm.pages) <= 3 and cm.gets == [], (listings(cm), cm.gets)


def test_stops_when_every_watched_job_finished():
    cm = FakeCM(history(running=("20", "21")))
    watch = FilterWatch(cm, QUERY, page_size=5)
    watch.poll()
    cm.set_status("20", "completed")
    cm.set_status("21", "failed")
    assert [(j["id"], j["state"]) for j in watch.poll()] == [("21", "failed"), ("20", "succeeded")]


def test_a_job_that_starts_mid_wait_is_watched_too():
    cm = FakeCM(history(running=("20",)))
    watch = FilterWatch(cm, QUERY, page_size=5)
    watch.poll()
    cm.jobs.insert(0, job("30", "in progress", created="2027-01-01"))
    assert set(ids(watch.poll())) == {"20", "30"}
    cm.set_status("20", "completed")
    assert [(j["id"], j["state"]) for j in watch.poll()][0] == ("30", "in_progress")


def test_nothing_running_gives_the_newest_matching_job():
    cm = FakeCM(history(running=()))
    assert ids(FilterWatch(cm, QUERY, page_size=5).poll()) == ["12"]
    assert FilterWatch(FakeCM([]), QUERY).poll() == []


def test_a_job_deleted_mid_wait_ends_the_wait_naming_it():
    cm = FakeCM(history(running=("20", "21")))
    watch = FilterWatch(cm, QUERY, page_size=5)
    watch.poll()
    cm.delete("21")
    with pytest.raises(CckmError) as info:
        watch.poll()
    assert "21" in info.value.message and "gone from CipherTrust Manager" in info.value.message
    assert info.value.status == 404 and cm.gets == ["21"], "asked for by id once before giving up"


def test_a_watched_job_missing_from_the_listing_but_still_on_cm_is_read_by_id():
    cm = FakeCM(history(running=("20",)))
    watch = FilterWatch(cm, QUERY, page_size=5)
    watch.poll()
    stored = cm.jobs
    cm.jobs = [j for j in stored if j["id"] != "20"]
    original = cm.get_job
    cm.get_job = lambda path: (cm.gets.append("20"), dict(job("20", "completed")))[1]  # GET still finds it
    assert [(j["id"], j["state"]) for j in watch.poll()] == [("20", "succeeded")]
    cm.get_job = original


def test_id_watch_reads_only_running_jobs_and_names_an_unknown_id():
    cm = FakeCM([job("a", "in_progress"), job("b", "completed")])
    watch = IdWatch(cm, QUERY, ["a", "b", "a"])
    assert set(ids(watch.poll())) == {"a", "b"} and cm.gets == ["a", "b"]
    cm.gets.clear()
    watch.poll()
    assert cm.gets == ["a"], "a finished job is not asked again"
    with pytest.raises(CckmError) as info:
        IdWatch(cm, QUERY, ["nope"]).poll()
    assert "No aws synchronization job with id nope" in info.value.message


def test_id_watch_says_when_a_job_it_saw_is_gone():
    cm = FakeCM([job("a", "in_progress")])
    watch = IdWatch(cm, QUERY, ["a"])
    watch.poll()
    cm.delete("a")
    with pytest.raises(CckmError) as info:
        watch.poll()
    assert "job a (aws keys) is gone from CipherTrust Manager" in info.value.message
