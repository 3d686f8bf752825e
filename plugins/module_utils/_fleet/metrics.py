# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``sync_status``'s result as metrics in the Prometheus text exposition format, which is also valid OpenMetrics.

Internal to ciphertrust.cckm: not a public API, may change without notice.

Written by the role ``sync_report`` for node_exporter's textfile collector (or pushed elsewhere with the filter
``sync_report_openmetrics``). Every metric is a gauge without a unit suffix that OpenMetrics would add or reject,
every sample line carries no timestamp, and the text ends with ``# EOF`` (a comment to Prometheus' text parser,
the end marker OpenMetrics requires). A target has one ``cckm_sync_target_verdict`` series per verdict (1 for
its own, 0 for the others: an alert on ``verdict="stale"`` sees a target recover rather than vanish).
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import parse_time
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import VERDICTS

PREFIX = "cckm_sync_"

METRICS: Tuple[Tuple[str, str], ...] = (
    ("target_verdict", "1 for the verdict sync_status gave the target (ok, running, failing, stale, never), else 0."),
    ("target_last_success_timestamp_seconds", "When the target's last covering synchronization succeeded (Unix time)."),
    ("target_age_seconds", "Seconds from the target's last success to the check."),
    ("scope_jobs_in_window", "Synchronization jobs of the scope younger than max_age."),
    ("scope_targets", "Targets of the scope with each verdict."),
    ("in_sync", "1 when every target checked is ok or running and at least one was checked, else 0."),
    ("targets", "Targets checked, by verdict."),
    ("max_age_seconds", "How recent a last success must be for a target to be ok."),
    ("checked_timestamp_seconds", "When sync_status read CipherTrust Manager (Unix time)."),
)
"""Every metric written, with its help text (one table: the docs and the tests read it)."""


def label_value(value: Any) -> str:
    """A label value escaped as the exposition format requires (backslash, double quote, line feed)."""
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: List[Tuple[str, Any]]) -> str:
    return "{%s}" % ",".join('%s="%s"' % (name, label_value(value)) for name, value in pairs) if pairs else ""


def _number(value: float) -> str:
    return ("%d" % value) if float(value).is_integer() else repr(float(value))


def openmetrics_text(status: Dict[str, Any]) -> str:
    """The whole text, one block per metric (HELP, TYPE, samples), ending with ``# EOF``."""
    samples: Dict[str, List[str]] = {name: [] for name, _help in METRICS}

    def add(name: str, labels: List[Tuple[str, Any]], value: float) -> None:
        samples[name].append("%s%s%s %s" % (PREFIX, name, _labels(labels), _number(value)))

    targets = status.get("targets") or []
    for target in targets:
        where = [("cloud", target.get("cloud")), ("scope", target.get("scope")), ("target", target.get("target"))]
        for verdict in VERDICTS:
            add("target_verdict", where + [("verdict", verdict)], 1 if target.get("verdict") == verdict else 0)
        success = parse_time(target.get("last_success_at"))
        if success is not None:  # never: no series (a 0 would read as 1970)
            add("target_last_success_timestamp_seconds", where, success.timestamp())
        if target.get("age") is not None:
            add("target_age_seconds", where, target["age"])
    for scope in status.get("scopes") or []:
        if not scope.get("in_use", True):
            continue
        where = [("cloud", scope.get("cloud")), ("scope", scope.get("scope"))]
        add("scope_jobs_in_window", where, scope.get("jobs_in_window") or 0)
        counts = scope.get("counts") or {}
        for verdict in VERDICTS:
            add("scope_targets", where + [("verdict", verdict)], counts.get(verdict, 0))
    add("in_sync", [], 1 if targets and status.get("in_sync") else 0)
    counts = status.get("counts") or {}
    for verdict in VERDICTS:
        add("targets", [("verdict", verdict)], counts.get(verdict, 0))
    add("max_age_seconds", [], int(status.get("max_age") or 0))
    checked = parse_time(status.get("checked_at"))
    if checked is not None:
        add("checked_timestamp_seconds", [], checked.timestamp())
    lines: List[str] = []
    for name, help_text in METRICS:
        if samples[name]:
            lines += ["# HELP %s%s %s" % (PREFIX, name, help_text), "# TYPE %s%s gauge" % (PREFIX, name)] + samples[name]
    return "\n".join(lines + ["# EOF"]) + "\n"
