# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for sync_job_wait: progress lines in the job output while the module waits.

A module's output only appears when it ends. With ``progress_interval`` set and the module
running on the controller (connection local, as for localhost or delegate_to: localhost), the
module runs in a thread and writes a JSON snapshot after each poll to a private temporary
file; this plugin prints one line from it every ``progress_interval`` seconds, so a person
watching an AWX job sees the wait alive. The module still runs once, so it logs in once.
"""

import json
import os
import shutil
import tempfile
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()


def _progress_line(host, args, snapshot, elapsed):
    what = "%s %s" % (args.get("cloud"), args.get("scope") or "keys")
    if snapshot is None:
        return "[%s] waiting for %s synchronization: no answer from CipherTrust Manager after %.0f s" % (host, what, elapsed)
    running = snapshot.get("in_progress") or []
    line = "[%s] waiting for %s synchronization: %d job(s) in progress after %.0f s (%d polls)" % (
        host,
        what,
        len(running),
        elapsed,
        snapshot.get("polls", 0),
    )
    if running:
        line += ": " + ", ".join(running[:5]) + (" and %d more" % (len(running) - 5) if len(running) > 5 else "")
    if snapshot.get("last_error"):
        line += "; last error: %s" % snapshot["last_error"]
    return line


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if self._task.async_val:  # a background job: its output is read by async_status, not shown live
            wrap_async = not self._connection.has_native_async
            result.update(self._execute_module(module_args=args, task_vars=task_vars, wrap_async=wrap_async))
            return result
        interval = self._progress_interval(args.get("progress_interval"))
        if interval is None:
            module_result = self._execute_module(module_args=args, task_vars=task_vars)
        else:
            module_result = self._wait_with_progress(args, task_vars, interval)
        result.update(module_result)
        self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _progress_interval(self, value):
        """Seconds between progress lines, or None when no line can or should be shown."""
        try:
            interval = float(value) if value not in (None, "") else 0.0
        except (TypeError, ValueError):
            return None  # the module's own validation names the bad value
        if interval <= 0:
            return None
        if self._connection.transport != "local":
            display.warning(
                "sync_job_wait: progress_interval shows progress only when the module runs on the "
                "controller (connection local, e.g. delegate_to: localhost); waiting without progress lines."
            )
            return None
        return interval

    def _wait_with_progress(self, args, task_vars, interval):
        """Run the module in a thread; print a line from its progress file every ``interval`` seconds."""
        workdir = tempfile.mkdtemp(prefix="cckm-wait-")
        progress_file = os.path.join(workdir, "progress.json")
        args["progress_file"] = progress_file
        outcome = {}

        def wait():
            outcome["result"] = self._execute_module(module_args=args, task_vars=task_vars)

        worker = threading.Thread(target=wait, name="cckm-sync-job-wait")
        worker.daemon = True
        worker.start()
        host = task_vars.get("inventory_hostname", "localhost") if task_vars else "localhost"
        started = time.monotonic()
        try:
            while True:
                worker.join(interval)
                if not worker.is_alive():
                    break
                display.display(_progress_line(host, args, self._read(progress_file), time.monotonic() - started))
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return outcome.get("result") or {"failed": True, "msg": "sync_job_wait ended without a result"}

    @staticmethod
    def _read(path):
        try:
            with open(path) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None
