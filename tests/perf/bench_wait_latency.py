"""Detection latency of sync_job_wait: from the moment a job finishes on CM to the end of the task.

With max_poll_interval equal to poll_interval the target is at most poll_interval + 0.5 s.
Prints one line per repetition, then median, min and max. Not a test: timings are noisy.

    python -m tests.perf.bench_wait_latency --repeat 5 --interval 2
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from tests.integration.conftest import Ansible  # noqa: E402
from tests.simulator import Simulator  # noqa: E402

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: wait
      ciphertrust.cckm.sync_job_wait:
        cloud: aws
        id: [%s]
        poll_interval: %s
        max_poll_interval: %s
"""


def measure(sim: Simulator, ansible: Ansible, interval: float, job_seconds: float) -> float:
    sim.reset()
    job = sim.add_job("aws", duration=job_seconds)
    run = ansible.playbook(PLAYBOOK % (job.id, interval, interval))
    if run.rc != 0:
        raise SystemExit(run.output)
    task_end = [r for r in run.records if r["task"] == "wait"][0]["time"]
    return task_end - job.ends_at


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--job-seconds", type=float, default=8.0)
    args = parser.parse_args(argv)

    with Simulator() as sim, tempfile.TemporaryDirectory() as tmp:
        ansible = Ansible(sim, pathlib.Path(tmp))
        latencies = []
        for index in range(args.repeat):
            latency = measure(sim, ansible, args.interval, args.job_seconds)
            latencies.append(latency)
            print("run %d: job end -> task end %.2f s" % (index + 1, latency), flush=True)
    target = args.interval + 0.5
    median = statistics.median(latencies)
    print(
        "detection latency: median %.2f s, min %.2f s, max %.2f s; target <= %.2f s (poll_interval + 0.5): %s"
        % (median, min(latencies), max(latencies), target, "met" if max(latencies) <= target else "MISSED")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
