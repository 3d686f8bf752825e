"""Run a command from a small process and write what its process tree cost as JSON.

    python -S tests/perf/launch.py USAGE_FILE COMMAND [ARG...]

Linux keeps a process's peak RSS across fork and exec, so a command forked from the (large)
benchmark process would report the benchmark's own size as its peak. Forked from this small
launcher instead, the peak is the command's own. Exits with the command's exit code.
"""

import json
import os
import sys


def main() -> int:
    usage_path, argv = sys.argv[1], sys.argv[2:]
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _pid, status, usage = os.wait4(pid, 0)
    with open(usage_path, "w") as sink:
        json.dump({"cpu": usage.ru_utime + usage.ru_stime, "max_rss_kb": usage.ru_maxrss}, sink)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
