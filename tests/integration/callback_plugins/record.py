# Test-only callback: append every task result as one JSON line to $CCKM_RECORD_FILE.


DOCUMENTATION = r"""
name: record
type: aggregate
short_description: Record task results as JSON lines (ciphertrust.cckm tests only)
description:
  - Appends one JSON object per task result to the file named by E(CCKM_RECORD_FILE).
  - The outcome is taken from the callback method Ansible calls (C(v2_runner_on_failed), ...), never from a
    C(failed) key (ansible-core 2.21 leaves that key out of the result it hands a callback).
  - A looped task's entry has C(items), one per loop item, each with the status of its own
    C(v2_runner_item_on_*) call.
requirements: [CCKM_RECORD_FILE set]
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


def _task_of(result):
    return getattr(result, "task", None) or result._task  # `task` from ansible-core 2.19 on


def _host_of(result):
    return getattr(result, "host", None) or result._host


def _result_of(result):
    recorded = getattr(result, "result", None)  # `result` from ansible-core 2.19 on
    return recorded if recorded is not None else result._result


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._items = {}  # (task uuid, host) -> [{"status", "result"}] of the loop running there

    def _key(self, result):
        return (_task_of(result)._uuid, _host_of(result).get_name())

    def _record(self, status, result):
        path = os.environ.get("CCKM_RECORD_FILE")
        if not path:
            return
        entry = {
            "task": _task_of(result).get_name(),
            "action": _task_of(result).action,
            "host": _host_of(result).get_name(),
            "status": status,
            "time": time.time(),
            "result": _result_of(result),
        }
        items = self._items.pop(self._key(result), None)
        if items is not None:
            entry["items"] = items
        with open(path, "a") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    def _item(self, status, result):
        self._items.setdefault(self._key(result), []).append({"status": status, "result": _result_of(result)})

    def v2_runner_on_ok(self, result):
        self._record("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record("failed", result)

    def v2_runner_on_skipped(self, result):
        self._record("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._record("unreachable", result)

    def v2_runner_item_on_ok(self, result):
        self._item("ok", result)

    def v2_runner_item_on_failed(self, result):
        self._item("failed", result)

    def v2_runner_item_on_skipped(self, result):
        self._item("skipped", result)
