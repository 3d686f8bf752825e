# Test-only callback: append every task result as one JSON line to $CCKM_RECORD_FILE.


DOCUMENTATION = r"""
name: record
type: aggregate
short_description: Record task results as JSON lines (ciphertrust.cckm tests only)
description: Appends one JSON object per task result to the file named by E(CCKM_RECORD_FILE).
requirements: [CCKM_RECORD_FILE set]
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, status, result):
        path = os.environ.get("CCKM_RECORD_FILE")
        if not path:
            return
        entry = {
            "task": result._task.get_name(),
            "action": result._task.action,
            "host": result._host.get_name(),
            "status": status,
            "time": time.time(),
            "result": result._result,
        }
        with open(path, "a") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)
