# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``sync_report_html``, ``sync_report_markdown``, ``sync_report_openmetrics`` and ``sync_report_offenders``
filters: sync_status's result as a page, a summary, metrics for Prometheus and records to act on (documentation in
the YAML file of each name)."""

from ansible.errors import AnsibleFilterError

from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.attention import by_severity
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.metrics import openmetrics_text
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.report import report_html, report_markdown
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import FAIL_WHEN_CHOICES, offender_records


def _checked(status, name):
    if not isinstance(status, dict) or "targets" not in status or "checked_at" not in status:
        raise AnsibleFilterError("%s expects the result of ciphertrust.cckm.sync_status (with targets and checked_at)" % name)
    return status


def sync_report_html(status, title="CCKM synchronization status"):
    return report_html(_checked(status, "sync_report_html"), title=str(title))


def sync_report_markdown(status, title="CCKM synchronization status"):
    return report_markdown(_checked(status, "sync_report_markdown"), title=str(title))


def sync_report_openmetrics(status):
    return openmetrics_text(_checked(status, "sync_report_openmetrics"))


def sync_report_offenders(status, verdicts=None):
    wanted = list(verdicts) if verdicts else list(FAIL_WHEN_CHOICES)
    unknown = [verdict for verdict in wanted if verdict not in FAIL_WHEN_CHOICES]
    if unknown:
        raise AnsibleFilterError(
            "sync_report_offenders: verdicts may list %s, got %s" % (", ".join(FAIL_WHEN_CHOICES), ", ".join(map(str, unknown)))
        )
    status = _checked(status, "sync_report_offenders")
    return offender_records(dict(status, targets=by_severity(status["targets"])), wanted)


class FilterModule:
    def filters(self):
        return {
            "sync_report_html": sync_report_html,
            "sync_report_markdown": sync_report_markdown,
            "sync_report_openmetrics": sync_report_openmetrics,
            "sync_report_offenders": sync_report_offenders,
        }
