# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small waiter: poll until a predicate holds over normalized jobs, or time runs out.

Internal to ciphertrust.cckm: not a public API, may change without notice.

It knows nothing of clouds or HTTP: ``poll`` returns jobs, ``done`` judges them. Transient
errors (CM restarting, 5xx, dropped connections) do not end the wait; the last one is kept
for the timeout report. Clock and sleep are injected, pauses never run past the deadline.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.backoff import growing_delays
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import FINISHED_STATES

Jobs = List[Dict[str, Any]]


class WaitOutcome(NamedTuple):
    jobs: Jobs
    elapsed: float
    polls: int
    timed_out: bool
    last_error: Optional[CckmError]
    transient_errors: int


def all_finished(jobs: Jobs) -> bool:
    """True when no job is still running (an ``unknown`` state counts as running)."""
    return all(job["state"] in FINISHED_STATES for job in jobs)


def wait_for_jobs(
    poll: Callable[[], Jobs],
    timeout: float,
    poll_interval: float,
    max_poll_interval: float,
    done: Callable[[Jobs], bool] = all_finished,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    delays: Optional[Iterator[float]] = None,
    on_poll: Optional[Callable[[Jobs, float, int, Optional[CckmError]], None]] = None,
    lateness_share: Optional[float] = None,
) -> WaitOutcome:
    """Call ``poll`` until ``done(jobs)`` or ``timeout`` seconds have passed.

    The first poll happens at once; pauses start at ``poll_interval`` and grow (with jitter) to
    ``max_poll_interval``, but a pause is never longer than a tenth of the time waited so far (nor
    shorter than ``poll_interval``), so a job is seen to end soon after it does however long it ran;
    the last pause is cut short so the last poll happens at the deadline. A non-transient
    CckmError from ``poll`` ends the wait by propagating. ``lateness_share`` replaces the tenth
    (benchmarks pass 0 to measure pauses that only grow, as in 0.1.0).
    """
    share = LATENESS_SHARE if lateness_share is None else lateness_share
    pauses = delays if delays is not None else growing_delays(poll_interval, max_poll_interval)
    start = clock()
    polls = 0
    transient = 0
    jobs: Jobs = []
    last_error: Optional[CckmError] = None
    while True:
        polls += 1
        try:
            jobs = poll()
            finished = done(jobs)
        except CckmError as error:
            if not error.transient:
                raise
            transient += 1
            last_error = error
            finished = False
        elapsed = clock() - start
        if on_poll:
            on_poll(jobs, elapsed, polls, last_error)
        if finished:
            return WaitOutcome(jobs, elapsed, polls, False, last_error, transient)
        remaining = timeout - elapsed
        if remaining <= 0:
            return WaitOutcome(jobs, elapsed, polls, True, last_error, transient)
        grown = next(pauses)
        sleep(min(next_pause(grown, elapsed, poll_interval, share) if share else grown, remaining))


LATENESS_SHARE = 0.1
"""A pause is at most this share of the time waited so far: a job is seen within ~10 % of its run."""


def next_pause(grown: float, elapsed: float, poll_interval: float, share: float = LATENESS_SHARE) -> float:
    """The pause before the next poll: the grown pause, capped at a tenth of ``elapsed``, never below ``poll_interval``."""
    return min(grown, max(poll_interval, elapsed * share))
