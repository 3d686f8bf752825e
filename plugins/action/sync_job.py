# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for sync_job: with ``wait: true``, progress lines while it waits, as for sync_job_wait."""

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.ciphertrust.cckm.plugins.action.sync_job_wait import ActionModule as WaitActionModule


class ActionModule(WaitActionModule):
    module_name = "sync_job"

    def _progress_interval(self, value):
        if not boolean(self._task.args.get("wait") or False, strict=False):
            return None  # no wait, no progress to show
        return super()._progress_interval(value)
