# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``sync_report_html`` and ``sync_report_markdown`` filters: sync_status's result as a page and a summary
(documentation in sync_report_html.yml and sync_report_markdown.yml)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.ciphertrust.cckm.plugins.module_utils._report import report_html, report_markdown


def _checked(status, name):
    if not isinstance(status, dict) or "targets" not in status or "checked_at" not in status:
        raise AnsibleFilterError("%s expects the result of ciphertrust.cckm.sync_status (with targets and checked_at)" % name)
    return status


def sync_report_html(status, title="CCKM synchronization status"):
    return report_html(_checked(status, "sync_report_html"), title=str(title))


def sync_report_markdown(status, title="CCKM synchronization status"):
    return report_markdown(_checked(status, "sync_report_markdown"), title=str(title))


class FilterModule:
    def filters(self):
        return {"sync_report_html": sync_report_html, "sync_report_markdown": sync_report_markdown}
