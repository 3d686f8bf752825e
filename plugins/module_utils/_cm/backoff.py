# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Growing, jittered pauses for retries and polls.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import random
from typing import Callable, Iterator


def growing_delays(
    first: float,
    maximum: float,
    factor: float = 2.0,
    jitter: float = 0.2,
    rand: Callable[[], float] = random.random,
) -> Iterator[float]:
    """Yield ``first``, then pauses growing by ``factor`` up to ``maximum``, forever.

    Each pause is shortened by up to ``jitter`` (a fraction) so that many clients that
    started together spread out instead of hitting CM in step; ``maximum`` is never
    exceeded and the pause never drops below ``(1 - jitter)`` of its nominal value.
    """
    nominal = max(0.0, min(first, maximum))
    while True:
        yield nominal * (1.0 - jitter * rand())
        nominal = min(maximum, nominal * factor if nominal else maximum)
