"""Looking up undecided targets many at a time (``_jobs.lookup``) over a fake CM whose filter takes repeated keys."""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import Target, TargetIndex
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.lookup import BATCH_QUERY, BATCH_TARGETS, batches, look_up
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import FakeCM, job

AWS = CLOUDS["aws"]
PATH = AWS.scope("keys").path


def has_success(target, _reach):
    return target.has_success


def index_of(names):
    return TargetIndex(AWS, [Target(name) for name in names])


def test_batches_are_bounded_by_count_and_by_query_length():
    many = [Target("kms-%03d" % n) for n in range(120)]
    assert [len(batch) for batch in batches(many, "kms")] == [BATCH_TARGETS, BATCH_TARGETS, 20]
    long = [Target("k" * 900 + str(n), ["alias-%d" % n]) for n in range(20)]
    groups = batches(long, "kms")
    assert len(groups) > 1 and sum(len(g) for g in groups) == 20
    for group in groups:
        assert sum(len("kms") + len(i) + 2 for t in group for i in t.identifiers) <= BATCH_QUERY


def test_a_batch_whose_targets_all_decide_on_its_first_page_costs_one_request():
    names = ["kms-%02d" % n for n in range(30)]
    history = [job("h%04d" % n, "completed", "2026-01-01T01:%02d:%02d" % (n // 60, n % 60), kms=["other"]) for n in range(500)]
    mine = [job("t%02d" % n, "completed", "2025-06-01T00:00:%02d" % n, kms=[name]) for n, name in enumerate(names)]
    cm = FakeCM(history + mine)
    index = index_of(names)
    look_up(cm, PATH, "kms", index, list(index.targets.values()), has_success)
    assert len(cm.pages) == 1 and sorted(cm.pages[0][0]["kms"]) == names
    assert all(t.last_success["id"] == "t%02d" % n for n, t in enumerate(index.targets.values()))


def test_a_target_whose_success_lies_below_the_batchs_pages_falls_back_to_its_own_look_up():
    # kms-deep's newest jobs failed, 250 of them, above its last success: the batch's 2 pages of 100 end first
    failures = [job("f%03d" % n, "failed", "2025-06-02T00:%02d:%02d" % (n // 60, n % 60), kms=["kms-deep"]) for n in range(250)]
    cm = FakeCM(
        failures
        + [
            job("ok-deep", "completed", "2025-01-01T00:00:00", kms=["kms-deep"]),
            job("ok-easy", "completed", "2025-06-03T00:00:00", kms=["kms-easy"]),
        ]
    )
    index = index_of(["kms-easy", "kms-deep"])
    look_up(cm, PATH, "kms", index, list(index.targets.values()), has_success)
    queries = [query["kms"] for query, _skip, _limit in cm.pages]
    assert queries == [["kms-deep", "kms-easy"], ["kms-deep", "kms-easy"], ["kms-deep"]], "two batch pages, then its own"
    assert index.targets["kms-easy"].last_success["id"] == "ok-easy"
    assert index.targets["kms-deep"].last_finished["state"] == "failed"


def test_a_listing_that_ends_decides_what_it_holds_and_sends_no_fallback():
    cm = FakeCM([job("a", "failed", "2025-06-01T00:00:00", kms=["kms-a"])])
    index = index_of(["kms-a", "kms-nothing"])
    look_up(cm, PATH, "kms", index, list(index.targets.values()), has_success)
    assert len(cm.pages) == 1 and index.targets["kms-nothing"].newest is None


def test_batches_of_one_scope_are_read_concurrently_and_every_target_is_seen():
    names = ["kms-%03d" % n for n in range(160)]
    cm = FakeCM(
        [job("j%03d" % n, "completed", "2025-06-01T00:%02d:%02d" % (n // 60, n % 60), kms=[name]) for n, name in enumerate(names)]
    )
    index = index_of(names)
    look_up(cm, PATH, "kms", index, list(index.targets.values()), has_success)
    assert len(cm.pages) == 4 and all(t.has_success for t in index.targets.values())


def test_a_crowded_batch_reads_on_while_each_page_decides_a_target():
    # kms-0's success lies below 99 failures of its own, kms-1's below 99 more, ...: each page decides one target
    jobs = []
    for k in range(5):
        day = "2025-06-%02d" % (20 - k)
        jobs += [
            job("f%d-%02d" % (k, n), "failed", "%sT01:%02d:%02d" % (day, n // 60, n % 60), kms=["kms-%d" % k]) for n in range(99)
        ]
        jobs.append(job("ok-%d" % k, "completed", day + "T00:00:00", kms=["kms-%d" % k]))
    cm = FakeCM(jobs)
    index = index_of(["kms-%d" % k for k in range(5)])
    look_up(cm, PATH, "kms", index, list(index.targets.values()), has_success)
    assert [skip for _query, skip, _limit in cm.pages] == [0, 100, 200, 300, 400], "one batch, five pages, no fallback"
    assert all(index.targets["kms-%d" % k].last_success["id"] == "ok-%d" % k for k in range(5))
