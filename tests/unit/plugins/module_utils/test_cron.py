"""run_at: checking five-field cron expressions and finding the next run (UTC)."""

import datetime

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.cron import checked_cron, parse_cron

UTC = datetime.timezone.utc


def at(text):
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "cron, after, expected",
    [
        ("0 2 * * *", "2026-12-01 01:59", "2026-12-01 02:00"),
        ("0 2 * * *", "2026-12-01 02:00", "2026-12-02 02:00"),  # strictly after
        ("*/15 * * * *", "2026-12-01 10:07", "2026-12-01 10:15"),
        ("30 22 * * mon-fri", "2026-12-04 23:00", "2026-12-07 22:30"),  # Friday night -> Monday
        ("0 0 1 jan *", "2026-06-01 00:00", "2027-01-01 00:00"),
        ("0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"),  # the next leap day
        ("0 0 13 * 5", "2026-12-01 00:00", "2026-12-04 00:00"),  # both day fields: either matches (a Friday)
        ("0 12 * * 7", "2026-12-01 00:00", "2026-12-06 12:00"),  # 7 is Sunday
        ("5 4 * * SUN", "2026-12-31 23:59", "2027-01-03 04:05"),
        ("0 9-17/4 * * *", "2026-12-01 09:30", "2026-12-01 13:00"),
        ("0,30 8 * * *", "2026-12-01 08:10", "2026-12-01 08:30"),
        ("10/20 * * * *", "2026-12-01 08:31", "2026-12-01 08:50"),
    ],
)
def test_next_run(cron, after, expected):
    assert parse_cron("run_at", cron).next_after(at(after)) == at(expected)


def test_a_time_in_another_zone_is_read_as_its_instant():
    paris = datetime.timezone(datetime.timedelta(hours=1))
    moment = datetime.datetime(2026, 12, 1, 3, 30, tzinfo=paris)  # 02:30 UTC
    assert parse_cron("run_at", "0 3 * * *").next_after(moment) == at("2026-12-01 03:00")


def test_a_date_that_never_comes_has_no_next_run():
    assert parse_cron("run_at", "0 0 31 2 *").next_after(at("2026-12-01 00:00")) is None


def test_a_question_mark_in_a_day_field_means_any_day():
    assert parse_cron("run_at", "0 2 ? * *") == parse_cron("run_at", "0 2 * * *") == parse_cron("run_at", "0 2 * * ?")
    assert parse_cron("run_at", "0 2 ? * MON") == parse_cron("run_at", "0 2 * * 1")  # CM's UI writes this form
    assert parse_cron("run_at", "0 2 15 * ?") == parse_cron("run_at", "0 2 15 * *")
    # "the 15th, any weekday" runs on the 15th only, not on every day (as '15 * 1' would: either day field)
    assert parse_cron("run_at", "0 2 15 * ?").next_after(at("2026-12-01 00:00")) == at("2026-12-15 02:00")
    assert parse_cron("run_at", "30 4 ? * sun").next_after(at("2026-12-01 00:00")) == at("2026-12-06 04:30")


def test_names_and_numbers_mean_the_same():
    assert parse_cron("run_at", "0 2 * * sun") == parse_cron("run_at", "0 2 * * 0") == parse_cron("run_at", "0  2 * * 7")
    assert parse_cron("run_at", "0 2 * JAN-MAR *") == parse_cron("run_at", "0 2 * 1-3 *")


@pytest.mark.parametrize(
    "cron, words",
    [
        ("0 2 * *", "has 4 fields"),
        ("0 0 2 * * *", "has 6 fields"),
        ("60 2 * * *", "minute field '60' holds 60, out of range"),
        ("0 24 * * *", "hour field '24' holds 24"),
        ("0 2 0 * *", "day of month field '0'"),
        ("0 2 * 13 *", "month field '13'"),
        ("0 2 * * 8", "day of week field '8'"),
        ("0 2 * * funday", "neither a number nor a name"),
        ("*/0 2 * * *", "bad step '0'"),
        ("0 5-2 * * *", "ends before it starts"),
        ("0 2,,3 * * *", "empty value"),
        ("@daily", "is a cron shortcut, which CM does not take; write '0 0 * * *' for @daily"),
        ("@reboot", "CM takes five fields: minute hour day-of-month month day-of-week"),
        ("0 0 2 * * *", "has 6 fields (CM's cron has no seconds or years field); CM takes five fields: minute hour"),
        ("daily", "has one field; CM takes five fields"),
        ("? 2 * * *", "minute field '?' holds '?', which CM takes only in day-of-month or day-of-week"),
        ("0 2 1,? * *", "day of month field '1,?' holds '?', which CM takes only alone"),
    ],
)
def test_a_bad_expression_names_run_at_and_the_field(cron, words):
    with pytest.raises(CckmInputError) as caught:
        parse_cron("run_at", cron)
    assert caught.value.option == "run_at"
    assert caught.value.message.startswith("run_at: ") and words in caught.value.message, caught.value.message


@pytest.mark.parametrize(
    "cron, why",
    [
        ("0 2 31 2 *", "'0 2 31 2 *' never runs: February has no 31st day"),
        ("0 0 30 2 *", "'0 0 30 2 *' never runs: February has no 30th day"),
        ("0 0 30,31 feb ?", "February has no 30th or 31st day"),
        ("0 0 31 4,6,9,11 *", "April, June, September and November have no 31st day"),
        ("0 0 31 apr-jun/2 *", "April and June have no 31st day"),
        ("0 0 31 2 */2", "February has no 31st day"),  # a stepped '*' is no restriction: both fields must match
        ("0 0 30 2 ?", "February has no 30th day"),  # '?' is any day, no restriction either
    ],
)
def test_a_date_no_month_has_is_refused_naming_run_at_the_value_and_why(cron, why):
    assert parse_cron("run_at", cron).next_after(at("2026-12-01 00:00")) is None, "it never runs indeed"
    with pytest.raises(CckmInputError) as caught:
        checked_cron("run_at", cron)
    assert caught.value.option == "run_at"
    assert caught.value.message.startswith("run_at: ") and why in caught.value.message, caught.value.message


@pytest.mark.parametrize(
    "cron, first",
    [
        ("0 0 29 2 *", "2028-02-29 00:00"),  # leap years have it
        ("0 0 31 2 1", "2027-02-01 00:00"),  # both day fields restricted: either matches, so every Monday of February
        ("0 0 31 2 mon", "2027-02-01 00:00"),
        ("0 0 30,31 2,3 *", "2027-03-30 00:00"),  # March has them
        ("0 0 31 * *", "2026-12-31 00:00"),
    ],
)
def test_a_date_some_month_has_or_either_day_field_is_accepted(cron, first):
    assert checked_cron("run_at", cron) == parse_cron("run_at", cron)
    assert checked_cron("run_at", cron).next_after(at("2026-12-01 00:00")) == at(first)
