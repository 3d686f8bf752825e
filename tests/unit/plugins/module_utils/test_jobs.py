"""find_jobs against an exact and a lenient status filter: no job twice, a true total, skip/limit once."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import (
    JobQuery,
    find_jobs,
    merge_spellings,
    sort_like_cm,
    valid_sort,
)
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import FakeCM, job

SPELLINGS = ("in_progress", "in progress")


def estate():
    """Five jobs: two running with an underscore, one with a space, two finished; job 5 is the newest."""
    return [
        job("1", "in_progress"),
        job("2", "completed"),
        job("3", "in progress"),
        job("4", "failed"),
        job("5", "in_progress"),
    ]


def query(**kwargs):
    return JobQuery(CLOUDS["aws"], **kwargs)


@pytest.mark.parametrize("lenient", [False, True], ids=["exact filter", "lenient filter"])
def test_in_progress_is_every_running_job_once_with_a_true_total(lenient):
    cm = FakeCM(estate(), lenient=lenient)
    jobs, total = find_jobs(cm, query(overall_status="in_progress"))
    assert [j["id"] for j in jobs] == ["5", "3", "1"] and total == 3
    assert all(j["state"] == "in_progress" for j in jobs)


@pytest.mark.parametrize("lenient", [False, True], ids=["exact filter", "lenient filter"])
@pytest.mark.parametrize("skip, limit, expected", [(0, 1, ["5"]), (1, 1, ["3"]), (1, 5, ["3", "1"]), (3, 2, [])])
def test_skip_and_limit_apply_once_to_the_merged_newest_first_list(lenient, skip, limit, expected):
    cm = FakeCM(estate(), lenient=lenient)
    jobs, total = find_jobs(cm, query(overall_status="in_progress"), skip=skip, limit=limit)
    assert [j["id"] for j in jobs] == expected and total == 3


def test_a_lenient_filter_costs_one_listing_when_it_shows_both_spellings():
    cm = FakeCM(estate(), lenient=True)
    find_jobs(cm, query(overall_status="in_progress"))
    assert [q["overall_status"] for q, _skip, _limit in cm.pages] == ["in_progress"]


def test_an_exact_filter_is_asked_once_per_spelling():
    cm = FakeCM(estate(), lenient=False)
    find_jobs(cm, query(overall_status="in_progress"))
    assert [q["overall_status"] for q, _skip, _limit in cm.pages] == list(SPELLINGS)


def test_a_lenient_filter_with_only_one_spelling_stored_is_told_by_the_shared_jobs():
    cm = FakeCM([job("1", "in progress"), job("2", "in progress")], lenient=True)
    jobs, total = find_jobs(cm, query(overall_status="in_progress"))
    assert [j["id"] for j in jobs] == ["2", "1"] and total == 2


def test_merge_adds_totals_of_disjoint_listings_and_takes_the_largest_of_overlapping_ones():
    a, b = job("1", "in_progress"), job("2", "in progress")
    assert merge_spellings([("in_progress", [a], 1), ("in progress", [b], 1)], SPELLINGS)[1] == 2
    jobs, total = merge_spellings([("in_progress", [b, a], 2), ("in progress", [b, a], 2)], SPELLINGS)
    assert [j["id"] for j in jobs] == ["2", "1"] and total == 2


def test_no_status_filter_is_one_listing_in_cms_window():
    cm = FakeCM(estate())
    jobs, total = find_jobs(cm, query(), skip=1, limit=2)
    assert [j["id"] for j in jobs] == ["4", "3"] and total == 5 and len(cm.pages) == 1


def test_sort_keeps_cms_order_and_merged_listings_follow_it():
    cm = FakeCM(estate())
    jobs, _total = find_jobs(cm, JobQuery(CLOUDS["google"], sort="createdAt"))
    assert [j["id"] for j in jobs] == ["5", "4", "3", "2", "1"], "the fake ignores sort: CM's order is kept as served"
    merged, _total = find_jobs(cm, JobQuery(CLOUDS["google"], sort="createdAt", overall_status="in_progress"))
    assert [j["id"] for j in merged] == ["1", "3", "5"]


def test_sort_like_cm_orders_by_each_property_with_minus_for_descending():
    jobs = [job("1", "failed"), job("2", "completed"), job("3", "failed")]
    assert [j["id"] for j in sort_like_cm(jobs, "overall_status,-createdAt")] == ["2", "3", "1"]


@pytest.mark.parametrize(
    "sort, ok",
    [("createdAt", True), ("-createdAt,id", True), ("+id", True), ("bogus field", False), ("", False), ("a,,b", False)],
)
def test_valid_sort(sort, ok):
    assert valid_sort(sort) is ok


def test_query_keys_send_ids_filter_and_sort():
    params = JobQuery(CLOUDS["sfdc"], ids=["a"], filter_values=["org"], sort="-createdAt").query_params()
    assert params == {"id": ["a"], "organizations": ["org"], "sort": "-createdAt"}
    assert JobQuery(CLOUDS["luna"], filter_values=["x"]).query_params() == {}, "luna has no scope filter"
