# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending a write to CM without ever repeating it blindly: after a failure that may have reached CM, look first.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError

WRITE_ATTEMPTS = 3
"""Times one write may be sent, each retry only after reading CM's state showed it had not happened."""
SETTLE_PAUSES = (1.0, 2.0)
"""After a lost answer, CM is read at once and again after each of these pauses before the write is sent again:
another node of a cluster (or the one behind a load balancer) may learn of the write a few seconds late."""


def pause_after_timeout(request_timeout: float) -> float:
    """How long to give CM after a request timed out (it may still be acting on it) before looking."""
    return min(2 * request_timeout, 60.0)


def _gave_up(failure: CckmError, what: str, sends: int, cut_short: bool) -> CckmError:
    return failure.reword(
        "%s Gave up on trying to %s after %d attempts; before each retry CM was read and the change had not "
        "happened, so nothing was changed." % (failure.message.rstrip(".") + ".", what, sends)
    )


def settled_look(
    look: Callable[[], Optional[Any]],
    sleep: Callable[[float], None],
    deadline: Optional[float],
    clock: Callable[[], float],
) -> Optional[Any]:
    """``look()`` at once, then after each of SETTLE_PAUSES (no pause past ``deadline``) until it finds the write."""
    seen = look()
    for pause in SETTLE_PAUSES:
        if seen is not None or (deadline is not None and clock() + pause > deadline):
            break
        sleep(pause)
        seen = look()
    return seen


def write_looking_first(
    send: Callable[[], Any],
    look: Callable[[], Optional[Any]],
    what: str,
    request_timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    refused: Optional[Callable[[CckmError], Any]] = None,
    gave_up: Optional[Callable[[CckmError, int, bool], CckmError]] = None,
    deadline: Optional[float] = None,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """``send()``'s answer; after a failure that may have reached CM, ``look()``'s when it finds the write done.

    ``look()`` reads CM and returns what the write produced (the config created, ``{}`` for a config
    gone), or None when it has not happened. It is asked at once and after each of SETTLE_PAUSES (a
    cluster's replication lag); only when every look says it has not happened is ``send`` called again,
    at most WRITE_ATTEMPTS times in all. A refusal (another 4xx: CM did nothing) is raised at once, or handed
    to ``refused(error)``, whose answer is returned (it may raise). After the last attempt,
    ``gave_up(error, sends, cut_short)`` words the error. ``deadline`` (a ``clock()`` time): no pause
    runs past it and no write is sent that could not be answered before it (``cut_short``).
    """
    last: Optional[CckmError] = None
    sends = 0
    for _attempt in range(WRITE_ATTEMPTS):
        if sends and deadline is not None and clock() + request_timeout > deadline:
            break  # another write could not be answered within the task's timeout
        sends += 1
        try:
            return send()
        except CckmError as error:
            if not error.transient:
                if refused is None:
                    raise
                return refused(error)
            last = error
            if error.timed_out:  # CM got the request and may still be acting on it: give it time first
                pause = pause_after_timeout(request_timeout)
                sleep(pause if deadline is None else max(0.0, min(pause, deadline - clock())))
            seen = settled_look(look, sleep, deadline, clock)
            if seen is not None:
                return seen
    failure = last or CckmError("CipherTrust Manager did not %s." % what)
    if gave_up is not None:
        raise gave_up(failure, sends, sends < WRITE_ATTEMPTS)
    raise _gave_up(failure, what, sends, sends < WRITE_ATTEMPTS)
