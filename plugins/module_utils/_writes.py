# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending a write to CM without ever repeating it blindly: after a failure that may have reached CM, look first.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._errors import CckmError

WRITE_ATTEMPTS = 3
"""Times one write may be sent, each retry only after reading CM's state showed it had not happened."""
RETRY_PAUSES = (1.0, 3.0)


def pause_after_timeout(request_timeout: float) -> float:
    """How long to give CM after a request timed out (it may still be acting on it) before looking."""
    return min(2 * request_timeout, 60.0)


def write_looking_first(
    send: Callable[[], Any],
    look: Callable[[], Optional[Any]],
    what: str,
    request_timeout: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """``send()``'s answer; after a failure that may have reached CM, ``look()``'s when it finds the write done.

    ``look()`` reads CM and returns what the write produced (the config created, ``{}`` for a config
    gone), or None when it has not happened: only then is ``send`` called again, at most
    WRITE_ATTEMPTS times in all. A refusal (another 4xx) is raised at once: CM did nothing.
    """
    last: Optional[CckmError] = None
    for attempt in range(WRITE_ATTEMPTS):
        if attempt:
            sleep(RETRY_PAUSES[min(attempt - 1, len(RETRY_PAUSES) - 1)])
        try:
            return send()
        except CckmError as error:
            if not error.transient:
                raise
            last = error
            if error.timed_out:  # CM got the request and may still be acting on it: give it time first
                sleep(pause_after_timeout(request_timeout))
            seen = look()
            if seen is not None:
                return seen
    failure = last or CckmError("CipherTrust Manager did not %s." % what)
    raise failure.reword(
        "%s Gave up on trying to %s after %d attempts; before each retry CM was read and the change had not "
        "happened, so nothing was changed." % (failure.message.rstrip(".") + ".", what, WRITE_ATTEMPTS)
    )
