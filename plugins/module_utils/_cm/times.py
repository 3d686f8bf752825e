# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times as CM writes them (RFC 3339, UTC): read, written and told as an age. The one time parser.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import datetime
import re
import time
from typing import Any, Optional

UTC = datetime.timezone.utc
_TIME = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?([Zz]|[+-]\d\d:?\d\d)$")


def parse_time(text: Any) -> Optional[datetime.datetime]:
    """An RFC 3339 time as an aware datetime; None for nothing, a bad text, or Go's zero time (year 1)."""
    match = _TIME.match(str(text or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, zone = match.group(7) or "0", match.group(8).upper()
    if year <= 1:
        return None
    offset = datetime.timedelta(0)
    if zone != "Z":
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    try:  # CM writes UTC ("Z"): no offset to take off, no conversion
        return datetime.datetime(year, month, day, hour, minute, second, int(fraction[:6].ljust(6, "0")), UTC) - offset
    except (ValueError, OverflowError):
        return None


def utc_text(moment: datetime.datetime) -> str:
    """``2026-12-01T02:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def age(timestamp: Optional[str], now: Optional[float] = None) -> Optional[str]:
    """``3 h 12 min``, ``5 min``, ``40 s`` since an ISO 8601 UTC time, or None when it cannot be read."""
    then = parse_time(timestamp)
    if then is None:
        return None
    seconds = int((now if now is not None else time.time()) - then.timestamp())
    if seconds < 0:
        return None
    return duration_text(seconds)


def duration_text(seconds: int) -> str:
    """``3 h 12 min``, ``2 d 4 h``, ``5 min``, ``40 s``; a whole number of the larger unit alone (``3 d``, ``24 h``
    for a day exactly: how people say a max age)."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days == 1 and not hours and not rest:
        return "24 h"
    if days:
        return "%d d %d h" % (days, hours) if hours else "%d d" % days
    if hours:
        return "%d h %d min" % (hours, minutes) if minutes else "%d h" % hours
    return "%d min" % minutes if minutes else "%d s" % seconds


_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$", re.I)


def duration_seconds(text: Any) -> Optional[int]:
    """Seconds in a duration as written, sign and zero kept: ``24h``, ``90m``, ``7d``, ``1d12h``, ``45s``, a number of
    seconds, ``0s``, ``-1h``; None if it is none of them."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    value = str(text if text is not None else "").strip()
    sign = -1 if value.startswith("-") else 1
    if sign < 0:
        value = value[1:].strip()
    if value.isdigit():
        return sign * int(value)
    match = _DURATION.match(value)
    if not value or not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return sign * (days * 86400 + hours * 3600 + minutes * 60 + seconds)


def parse_duration(text: Any) -> Optional[int]:
    """Seconds in ``24h``, ``90m``, ``7d``, ``1d12h``, ``45s`` or a plain number of seconds, more than 0; None for
    anything else (``duration_seconds`` tells a duration of 0 or less from what is not a duration)."""
    seconds = duration_seconds(text)
    return seconds if seconds is not None and seconds > 0 else None
