# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for sync_job_wait: progress lines in the job output while the module waits.

A module's output only appears when it ends. With ``progress_interval`` set and the module
running on the controller (connection local, as for localhost or delegate_to: localhost), the
module runs in a thread and writes a progress snapshot after each poll to a private temporary
file; this plugin prints one line from it every ``progress_interval`` seconds, so a person
watching an AWX job sees the wait alive. The module still runs once, so it logs in once.
"""

import os
import shutil
import tempfile
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.redact import SECRET_OPTIONS, redact
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.progress import progress_line, read_progress

display = Display()


class ActionModule(ActionBase):
    _supports_check_mode = True
    _supports_async = True
    module_name = "sync_job_wait"

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
                "%s: progress_interval shows progress only when the module runs on the "
                "controller (connection local, e.g. delegate_to: localhost); waiting without progress lines." % self.module_name
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
            try:
                outcome["result"] = self._execute_module(module_args=args, task_vars=task_vars)
            except Exception as error:  # reported below as the task's failure, not lost with the thread
                outcome["error"] = error

        worker = threading.Thread(target=wait, name="cckm-sync-job-wait")
        worker.daemon = True
        worker.start()
        host = task_vars.get("inventory_hostname", "localhost") if task_vars else "localhost"
        cloud = CLOUDS.get(str(args.get("cloud")))
        scope = args.get("scope") or (cloud.default_scope if cloud else "keys")
        started = time.monotonic()
        try:
            while True:
                worker.join(interval)
                if not worker.is_alive():
                    break
                line = progress_line(
                    host, str(args.get("cloud")), scope, read_progress(progress_file), time.monotonic() - started
                )
                display.display(line)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if "result" in outcome:
            return outcome["result"]
        return {"failed": True, "msg": worker_failure(outcome.get("error"), args, self.module_name)}


def worker_failure(error, args, module_name="sync_job_wait"):
    """The task's message when running the module raised: its type and text, any secret blanked."""
    if error is None:
        return "%s: running the module on the controller ended without a result or an error." % module_name
    text = redact(" ".join(str(error).split()) or "(no message)", [args.get(option) for option in SECRET_OPTIONS])
    return "%s: running the module on the controller failed with %s: %s" % (module_name, type(error).__name__, text)
