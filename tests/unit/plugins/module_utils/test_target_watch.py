"""TargetWatch over a fake CM: each named target judged by its newest covering job, at a cost flat in the history."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import TargetWatch
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import FakeCM, job

AWS = CLOUDS["aws"]


def at(minute):
    return "2026-06-01T00:%02d:00Z" % minute


def history(count, day="2026-01-01", kms="kms-busy"):
    return [
        job("h%05d" % n, "completed", "%sT%02d:%02d:%02d" % (day, n // 3600, n // 60 % 60, n % 60), kms=[kms])
        for n in range(count)
    ]


def watch_of(cm, *targets, **kwargs):
    return TargetWatch(cm, JobQuery(AWS, filter_values=list(targets)), list(targets), page_size=5, **kwargs)


def states(watch):
    return {entry["target"]: (entry["state"], entry["job_id"]) for entry in watch.target_entries()}


def requests(cm):
    return len(cm.pages) + len(cm.gets)


def test_whichever_target_synchronized_last_does_not_decide_for_the_others():
    cm = FakeCM([job("f", "failed", at(1), kms=["kms-prod"]), job("s", "completed", at(2), kms=["kms-dr"])])
    watch = watch_of(cm, "kms-prod", "kms-dr")
    jobs = watch.poll()
    assert {j["id"] for j in jobs} == {"f", "s"} and states(watch) == {"kms-prod": ("failed", "f"), "kms-dr": ("succeeded", "s")}
    judged = watch.judge(jobs, ["failed", "cancelled"])
    assert judged.failure.startswith("No aws keys synchronization job covering kms=kms-prod,kms-dr was running")
    assert (
        "kms-prod: its newest covering job, f, ended failed" in judged.failure and "Succeeded: kms-dr (job s)" in judged.failure
    )


def test_a_newer_success_of_the_same_target_or_a_newer_job_of_everything_clears_a_failure():
    cm = FakeCM([job("f1", "failed", at(1), kms=["kms-a"]), job("ok", "completed", at(2), kms=["kms-a"])])
    watch = watch_of(cm, "kms-a")
    assert watch.judge(watch.poll(), ["failed"]).failure is None
    cm = FakeCM([job("f1", "failed", at(1), kms=["kms-a", "kms-b"]), job("all", "completed", at(2), kms=[])])
    watch = watch_of(cm, "kms-a", "kms-b")
    assert watch.judge(watch.poll(), ["failed"]).failure is None and {s[1] for s in states(watch).values()} == {"all"}


def test_it_waits_for_a_running_target_then_fails_naming_the_failed_one_unless_a_retry_supersedes_it():
    cm = FakeCM([job("f", "failed", at(1), kms=["kms-b"]), job("r", "in_progress", at(2), kms=["kms-a"])])
    watch = watch_of(cm, "kms-a", "kms-b")
    assert [j["state"] for j in watch.poll()] == ["in_progress", "failed"], "still waiting: kms-a runs"
    cm.set_status("r", "completed")
    judged = watch.judge(watch.poll(), ["failed"])
    assert judged.failure.startswith("Synchronization ended badly for 1 of 2 targets: kms-b")
    cm = FakeCM([job("f", "failed", at(1), kms=["kms-b"]), job("r", "in_progress", at(2), kms=["kms-a"])])
    watch = watch_of(cm, "kms-a", "kms-b")
    watch.poll()
    cm.jobs.insert(0, job("retry", "completed", at(3), kms=["kms-b"]))  # started after the wait began
    cm.set_status("r", "completed")
    assert watch.judge(watch.poll(), ["failed"]).failure is None and states(watch)["kms-b"] == ("succeeded", "retry")


@pytest.mark.parametrize("with_all", [False, True], ids=["filter lists only", "filter also returns jobs of everything"])
def test_a_running_job_of_everything_decides_whatever_the_target_filter_returns(with_all):
    cm = FakeCM(
        history(100) + [job("f", "failed", at(1), kms=["kms-a"]), job("all", "in_progress", at(2), kms=[])], with_all=with_all
    )
    watch = watch_of(cm, "kms-a")
    assert [j["id"] for j in watch.poll()] == ["all"]


def test_a_target_no_job_covers_is_named_in_a_warning():
    cm = FakeCM([job("s", "completed", at(1), kms=["kms-a"])])
    watch = watch_of(cm, "kms-a", "kms-typo")
    judged = watch.judge(watch.poll(), ["failed"])
    assert judged.failure is None and states(watch)["kms-typo"] == (None, None)
    assert judged.warnings == [
        "No aws keys synchronization job covers kms=kms-typo on CipherTrust Manager, so nothing was waited for it. Check "
        "the name, the cloud and the scope: a typo makes this wait succeed without waiting."
    ]


@pytest.mark.parametrize("size", [1000, 10000, 100000])
def test_the_first_poll_looks_up_the_targets_below_the_newest_page_in_one_batch_and_later_polls_do_not(size):
    targets = ["kms-%02d" % n for n in range(20)]
    deep = [job("t%02d" % n, "completed", "2025-01-01T00:00:%02dZ" % n, kms=[name]) for n, name in enumerate(targets)]
    running = job("run", "in_progress", "2025-01-01T00:01:00Z", kms=["kms-00"])
    cm = FakeCM(history(size, day="2026-01-01") + deep + [running])
    watch = watch_of(cm, *targets)
    watch.poll()
    # the newest page, one running listing per spelling, then one look-up of the 20 targets at once (repeated keys)
    assert requests(cm) == 1 + 2 + 1 and cm.gets == []
    assert len(cm.pages[-1][0]["kms"]) == 20
    assert states(watch)["kms-00"] == ("in_progress", "run") and states(watch)["kms-05"] == ("succeeded", "t05")
    for _poll in range(3):
        cm.pages.clear()
        watch.poll()
        assert requests(cm) == 2 and cm.gets == ["run"], "the newest page and the one running job by id"
        cm.gets.clear()


def test_a_target_known_by_another_name_on_the_listing_is_matched_by_it():
    cm = FakeCM([job("s", "completed", at(1), kms=["123456789012"])])
    cm.listings["/v1/cckm/aws/kms"] = [{"id": "acc-1", "name": "kms-prod", "account_id": "123456789012"}]
    watch = watch_of(cm, "kms-prod")
    watch.poll()
    assert states(watch) == {"kms-prod": ("succeeded", "s")}


def test_the_job_sync_job_started_decides_until_a_newer_one_covers_the_target():
    cm = FakeCM([job("older", "failed", at(1), kms=["kms-a"]), job("mine", "in_progress", at(2), kms=["kms-a", "kms-b"])])
    mine = normalize_job(dict(cm.jobs[0]))
    watch = watch_of(cm, "kms-a", "kms-b", floor=mine)
    assert [j["id"] for j in watch.poll()] == ["mine"] and watch.ran
    cm.jobs.insert(0, job("newer", "failed", at(3), kms=["kms-b"]))
    cm.set_status("mine", "completed")
    jobs = watch.poll()
    assert states(watch) == {"kms-a": ("succeeded", "mine"), "kms-b": ("failed", "newer")}
    assert watch.judge(jobs, ["failed"]).failure.startswith("Synchronization ended badly for 1 of 2 targets: kms-b")
