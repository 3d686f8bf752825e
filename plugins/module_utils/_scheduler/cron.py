# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Five-field cron expressions (CM scheduler's ``run_at``): checking them and finding the next run.

Internal to ciphertrust.cckm: not a public API, may change without notice.

Fields are minute, hour, day of month, month and day of week, each ``*``, a number or name, a range
``a-b``, a step ``*/n`` or ``a-b/n``, or a comma list of those; ``?`` in either day field means any day
(CM's scheduling pages allow it, and CM's UI writes it). When both day fields are restricted a day
matches either (as every cron does). Times are UTC.

``parse_cron`` reads any expression (CM's own configs too); ``checked_cron`` is the check of a ``run_at``
about to be written, which also refuses a day of month that none of the months it names has (``31 2``):
such a schedule would never run, whatever the year.
"""

from __future__ import annotations

import datetime
from typing import FrozenSet, List, NamedTuple, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import UTC

SEARCH_DAYS = 366 * 9
"""How far ahead a next run is looked for: a 29 February schedule runs at least once in 8 years."""
FIVE_FIELDS = "five fields: minute hour day-of-month month day-of-week, e.g. '0 2 * * *' (every day at 02:00 UTC)"
SHORTCUTS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
"""Shortcuts other crons take and CM does not, with the five fields that say the same."""
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
"""The most days each month has (February's 29th comes in leap years, so ``29 2`` does run)."""
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ANY_DAY = "?"
DAY_FIELDS = (2, 4)
"""Positions of day of month and day of week, the fields where ``?`` (any) is allowed."""


class Field(NamedTuple):
    name: str
    low: int
    high: int
    names: Tuple[str, ...] = ()
    """Names of the values from ``low`` on (``jan``..., ``sun``...)."""


FIELDS: Tuple[Field, ...] = (
    Field("minute", 0, 59),
    Field("hour", 0, 23),
    Field("day of month", 1, 31),
    Field("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")),
    Field("day of week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)


class Cron(NamedTuple):
    """A parsed ``run_at``: the values each field allows, and whether each day field is restricted."""

    minutes: FrozenSet[int]
    hours: FrozenSet[int]
    days: FrozenSet[int]
    months: FrozenSet[int]
    weekdays: FrozenSet[int]
    """0 is Sunday (7 is read as Sunday too)."""
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: datetime.date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = day.isoweekday() % 7 in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays
        return in_days and in_weekdays

    def month_names(self) -> List[str]:
        """The months it runs in, by name, in calendar order."""
        return [MONTH_NAMES[month - 1] for month in sorted(self.months)]

    def why_never(self) -> Optional[str]:
        """Why no date ever matches (``February has no 31st day``), or None when some year has a matching day.

        Only day of month can rule out every date: a month holds every weekday, and with both day fields
        restricted a day matches either, so a restricted day of week always runs. Exact, not searched:
        a day of month a month has falls on every weekday in some year (the 400-year Gregorian cycle).
        """
        if not self.days_restricted or self.weekdays_restricted:
            return None
        if any(day <= MONTH_DAYS[month - 1] for month in self.months for day in self.days):
            return None
        months = self.month_names()
        days = [_ordinal(day) for day in sorted(self.days)]
        return "%s %s no %s day" % (_joined(months, "and"), "has" if len(months) == 1 else "have", _joined(days, "or"))

    def next_after(self, moment: datetime.datetime) -> Optional[datetime.datetime]:
        """The first run strictly after ``moment`` (aware, any zone), in UTC; None when it never runs."""
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        hours = sorted(self.hours)
        minutes = sorted(self.minutes)
        day = start.date()
        for offset in range(SEARCH_DAYS):
            if self.matches_day(day):
                for hour in hours:
                    if offset == 0 and hour < start.hour:
                        continue
                    for minute in minutes:
                        if offset == 0 and hour == start.hour and minute < start.minute:
                            continue
                        return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
            day += datetime.timedelta(days=1)
        return None


def parse_cron(option: str, text: str) -> Cron:
    """``text`` parsed, or a CckmInputError naming ``option`` and the bad field."""
    fields = str(text).split()
    if len(fields) == 1 and fields[0].startswith("@"):
        same = SHORTCUTS.get(fields[0].lower())
        instead = "; write %r for %s" % (same, fields[0]) if same else ""
        raise CckmInputError(
            option, "%r is a cron shortcut, which CM does not take%s. CM takes %s." % (text, instead, FIVE_FIELDS)
        )
    if len(fields) != len(FIELDS):
        counted = "one field" if len(fields) == 1 else "%d fields" % len(fields)
        extra = " (CM's cron has no seconds or years field)" if len(fields) in (6, 7) else ""
        raise CckmInputError(option, "%r has %s%s; CM takes %s." % (text, counted, extra, FIVE_FIELDS))
    for position, (spec, part) in enumerate(zip(FIELDS, fields)):
        if ANY_DAY in part and (position not in DAY_FIELDS or part != ANY_DAY):
            where = "only in day-of-month or day-of-week" if position not in DAY_FIELDS else "only alone"
            raise CckmInputError(
                option, "the %s field %r holds '?', which CM takes %s (it means any day)." % (spec.name, part, where)
            )
    restricted = [part not in ("*", ANY_DAY) and not part.startswith("*") for part in fields]
    values: List[FrozenSet[int]] = [
        _parse_field(option, spec, "*" if part == ANY_DAY else part) for spec, part in zip(FIELDS, fields)
    ]
    weekdays = frozenset(0 if day == 7 else day for day in values[4])
    return Cron(values[0], values[1], values[2], values[3], weekdays, restricted[2], restricted[4])


def checked_cron(option: str, text: str) -> Cron:
    """``text`` parsed for a schedule to be written: a CckmInputError also when no date ever matches it.

    Refused before any request, rather than written with a warning: CM would keep a schedule that
    never runs, and a playbook would report it changed and done.
    """
    cron = parse_cron(option, text)
    why = cron.why_never()
    if why:
        most = max(MONTH_DAYS[month - 1] for month in cron.months)
        leap = ", the 29th in leap years only" if most == 29 else ""
        raise CckmInputError(
            option,
            "%r never runs: %s. Give a day of month %s has (1-%d%s), or another month."
            % (text, why, _joined(cron.month_names(), "or"), most, leap),
        )
    return cron


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return "%d%s" % (number, suffix)


def _joined(words: List[str], last: str) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else "%s %s %s" % (", ".join(words[:-1]), last, words[-1])


def _parse_field(option: str, spec: Field, text: str) -> FrozenSet[int]:
    allowed: set = set()
    for part in text.split(","):
        allowed |= _parse_part(option, spec, part, text)
    return frozenset(allowed)


def _parse_part(option: str, spec: Field, part: str, whole: str) -> set:
    def bad(why: str) -> CckmInputError:
        names = " or names %s-%s" % (spec.names[0], spec.names[-1]) if spec.names else ""
        return CckmInputError(
            option,
            "the %s field %r %s; it takes %d-%d%s, '*', ranges a-b and steps */n."
            % (spec.name, whole, why, spec.low, spec.high, names),
        )

    body, _slash, step_text = part.partition("/")
    step = 1
    if _slash:
        if not step_text.isdigit() or int(step_text) < 1:
            raise bad("has a bad step %r" % step_text)
        step = int(step_text)
    if body == "*":
        low, high = spec.low, spec.high
    elif "-" in body:
        first, _dash, last = body.partition("-")
        low, high = _value(first, spec, bad), _value(last, spec, bad)
        if low > high:
            raise bad("has a range that ends before it starts")
    else:
        low = _value(body, spec, bad)
        high = spec.high if _slash else low  # ``a/n``: from a to the end, every n
    return set(range(low, high + 1, step))


def _value(text: str, spec: Field, bad) -> int:
    word = text.strip().lower()
    if word in spec.names:
        return spec.low + spec.names.index(word)
    if not word.isdigit():
        raise bad("holds %r, which is neither a number nor a name" % text if text else "has an empty value")
    number = int(word)
    if not spec.low <= number <= spec.high:
        raise bad("holds %d, out of range" % number)
    return number
