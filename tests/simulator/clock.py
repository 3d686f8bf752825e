"""The simulator's clock: the wall clock, moved ahead when a test says time has passed."""

from __future__ import annotations

import threading
import time


class SimClock:
    """Now, in the simulator's time. Jobs, schedules and runs follow it; tokens keep the wall clock.

    ``advance(seconds)`` makes that much time pass at once, so a test need not sleep for a job to end
    or a schedule to come due (``Simulator.advance``, ``POST /_sim/advance``).
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("time only moves forward: %r" % seconds)
        with self._lock:
            self._offset += seconds
        return self()

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0
