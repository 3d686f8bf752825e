"""Run one command and measure its whole process tree: wall time, CPU seconds and peak RSS.

CPU and RSS come from wait4() in launch.py: the kernel folds every descendant the command waited
for (ansible's workers, the module processes, their shells) into the command's own usage.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, Sequence


@dataclass
class Measured:
    """What one command cost."""

    rc: int
    wall: float  # seconds, launch to exit
    cpu: float  # user + sys seconds of the command and all its waited-for descendants
    max_rss_mb: float  # the largest resident set of any single process in the tree
    started: float  # time.time() at launch
    ended: float  # time.time() at exit
    output: str


LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "launch.py")


def run_tree(argv: Sequence[str], env: Dict[str, str], cwd: str, timeout: float, output_path: str) -> Measured:
    """Run ``argv`` to the end (killed after ``timeout`` seconds); output goes to ``output_path``.

    The command is started by launch.py, a small process that reads its usage, so that the
    benchmark's own memory does not show up as the command's peak RSS.
    """
    usage_path = output_path + ".usage"
    with open(output_path, "w") as sink:
        started = time.time()
        clock = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-S", LAUNCHER, usage_path, *argv],
            env=env,
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        killer = threading.Timer(timeout, _kill_group, args=(proc.pid,))
        killer.start()
        try:
            proc.wait()
        finally:
            killer.cancel()
        wall = time.monotonic() - clock
    with open(output_path, errors="replace") as stream:
        output = stream.read()
    try:
        with open(usage_path) as stream:
            usage = json.load(stream)
    except (OSError, ValueError):  # killed before it could write
        usage = {"cpu": float("nan"), "max_rss_kb": 0}
    return Measured(
        rc=proc.returncode,
        wall=wall,
        cpu=usage["cpu"],
        max_rss_mb=usage["max_rss_kb"] / 1024.0,
        started=started,
        ended=started + wall,
        output=output,
    )


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@dataclass
class Spread:
    """Median, min and max of repeated samples."""

    median: float
    low: float
    high: float
    samples: List[float]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        values = [float(value) for value in samples]
        return cls(statistics.median(values), min(values), max(values), values)

    def show(self, unit: str = "", digits: int = 2) -> str:
        """``median (min-max)`` with ``unit``; one sample shows alone."""
        fmt = "%%.%df" % digits
        if len(self.samples) == 1:
            return (fmt % self.median) + unit
        return (fmt + "%s (" + fmt + "-" + fmt + ")") % (self.median, unit, self.low, self.high)
