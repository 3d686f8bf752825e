# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: ``sync_status``'s result as one self-contained HTML page and as a Markdown summary.

Internal to ciphertrust.cckm: not a public API, may change without notice.

The page loads nothing from anywhere (no script, font, image or style sheet): it opens from a file,
an AWX artifact or a mail attachment alike. Every text from CM is escaped.
"""

from __future__ import annotations

import datetime
from html import escape
from typing import Any, Dict, List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import duration_text, parse_time
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import VERDICTS

VERDICT_COLOURS = {"ok": "#1a7f37", "running": "#0969da", "failing": "#cf222e", "stale": "#bf8700", "never": "#6e7781"}
STATE_COLOURS = {
    "succeeded": "#2da44e",
    "partial": "#d4a72c",
    "failed": "#cf222e",
    "cancelled": "#8c959f",
    "in_progress": "#0969da",
    "unknown": "#8250df",
}
_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
.verdict { color: #fff; font-weight: 600; border-radius: 4px; padding: 1px 6px; }
.summary span { margin-right: 12px; }
.insync { font-weight: 600; }
svg text { font-size: 11px; fill: #1f2328; }
.legend span { margin-right: 10px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; }
"""


def human_age(seconds: Optional[int]) -> str:
    return "-" if seconds is None else duration_text(seconds)


def _badge(verdict: str) -> str:
    return '<span class="verdict" style="background:%s">%s</span>' % (VERDICT_COLOURS[verdict], escape(verdict))


def _last_error(target: Dict[str, Any]) -> str:
    job = target.get("last_job") or {}
    errors = job.get("errors") or []
    return errors[0]["message"] if errors else ""


def _target_rows(targets: List[Dict[str, Any]]) -> str:
    rows = []
    for target in targets:
        job = target.get("last_job") or {}
        running = target.get("running_job") or {}
        rows.append(
            '<tr class="target" data-cloud="%s" data-scope="%s" data-target="%s" data-verdict="%s">'
            "<td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>"
            % tuple(
                [escape(str(target[key]), quote=True) for key in ("cloud", "scope", "target", "verdict")]
                + [
                    escape(target["scope"]),
                    escape(target["target"]),
                    _badge(target["verdict"]),
                    escape(target.get("last_success_at") or "never"),
                    escape(human_age(target.get("age"))),
                    escape(("%s %s" % (job["id"], job["state"])) if job else "-")
                    + (escape(" (running: %s)" % running["id"]) if running else ""),
                    escape(_last_error(target)),
                ]
            )
        )
    return "\n".join(rows)


def _covers(job: Dict[str, Any], name: str) -> bool:
    """Whether a window job (``sync_status``'s compact form) covers the target ``name``."""
    if job.get("everything"):
        return True
    if "covers" in job:
        return name in job["covers"]
    covered = job.get("targets") or []  # a result of 1.0.0, before jobs carried ``covers``
    return not covered or name in covered


def target_outcome(job: Dict[str, Any], name: str) -> str:
    """How a job ended for one target: a partial job failed for the targets its errors name, succeeded for the rest."""
    state = str(job.get("state"))
    if state == "partial":
        return "failed" if name in (job.get("errors_for") or []) else "succeeded"
    return state


def timeline_svg(scope: Dict[str, Any], targets: List[Dict[str, Any]], checked_at: datetime.datetime, max_age: int) -> str:
    """The window's jobs of one scope as bars (one ``<g class="job">`` each), a row per target."""
    names = [t["target"] for t in targets]
    row_height, label_width, width = 18, 240, 900
    top = 20
    height = top + row_height * max(1, len(names)) + 24
    start = checked_at - datetime.timedelta(seconds=max_age)

    def x(moment: Optional[datetime.datetime]) -> float:
        moment = moment or checked_at
        fraction = (moment - start).total_seconds() / max_age
        return label_width + max(0.0, min(1.0, fraction)) * (width - label_width - 10)

    parts = [
        '<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" '
        'aria-label="%s %s jobs in the window">' % (width, height, escape(scope["cloud"]), escape(scope["scope"]))
    ]
    for index, name in enumerate(names):
        y = top + index * row_height
        parts.append('<text x="4" y="%d">%s</text>' % (y + 13, escape(name[:38])))
        parts.append(
            '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#eaeef2"/>' % (label_width, y + row_height, width - 10, y + row_height)
        )
    for job in scope.get("jobs") or []:
        begin = parse_time(job.get("createdAt"))
        end = parse_time(job.get("completed_at")) if job.get("state") != "in_progress" else None
        left = x(begin)
        length = max(3.0, x(end) - left)
        rows = [i for i, name in enumerate(names) if _covers(job, name)]
        if not rows and not names:
            rows = [0]
        parts.append(
            '<g class="job" data-job="%s" data-state="%s"><title>%s %s, %s</title>'
            % (
                escape(str(job.get("id")), quote=True),
                escape(str(job.get("state")), quote=True),
                escape(str(job.get("id"))),
                escape(str(job.get("state"))),
                escape(str(job.get("createdAt"))),
            )
        )
        for row in rows or [None]:
            if row is None:  # a job naming only targets the listing does not hold: a thin mark on the axis
                colour = STATE_COLOURS.get(job.get("state"), STATE_COLOURS["unknown"])
                parts.append('<rect x="%.1f" y="%d" width="%.1f" height="4" fill="%s"/>' % (left, top - 6, length, colour))
                continue
            outcome = target_outcome(job, names[row]) if names else str(job.get("state"))
            parts.append(
                '<rect class="bar" data-target="%s" data-outcome="%s" x="%.1f" y="%d" width="%.1f" height="%d" rx="2" fill="%s"/>'
                % (
                    escape(names[row] if names else "", quote=True),
                    escape(outcome, quote=True),
                    left,
                    top + row * row_height + 3,
                    length,
                    row_height - 6,
                    STATE_COLOURS.get(outcome, STATE_COLOURS["unknown"]),
                )
            )
        parts.append("</g>")
    axis = top + row_height * max(1, len(names)) + 16
    parts.append('<text x="%d" y="%d">%s</text>' % (label_width, axis, escape(start.strftime("%Y-%m-%d %H:%M UTC"))))
    parts.append(
        '<text x="%d" y="%d" text-anchor="end">%s</text>' % (width - 10, axis, escape(checked_at.strftime("%Y-%m-%d %H:%M UTC")))
    )
    parts.append("</svg>")
    return "\n".join(parts)


def in_sync_sentence(status: Dict[str, Any]) -> str:
    """The page's one-line answer."""
    if not status.get("targets"):
        return "No target found: nothing was checked, so this is not in sync."
    return "Every target is in sync." if status.get("in_sync") else "Not every target is in sync."


def report_html(status: Dict[str, Any], title: str = "CCKM synchronization status") -> str:
    """The whole page."""
    checked_at = parse_time(status.get("checked_at")) or datetime.datetime.now(datetime.timezone.utc)
    max_age = int(status.get("max_age") or 86400)
    targets = status.get("targets") or []
    counts = status.get("counts") or {}
    body = [
        "<h1>%s</h1>" % escape(title),
        "<p>Checked at %s; a target is ok when its last successful synchronization is younger than %s. "
        '<span class="insync">%s</span></p>'
        % (
            escape(str(status.get("checked_at"))),
            escape(human_age(max_age)),
            in_sync_sentence(status),
        ),
        '<p class="summary">%s</p>' % "".join("<span>%s %d</span>" % (_badge(v), counts.get(v, 0)) for v in VERDICTS),
        '<p class="legend">Jobs: %s</p>'
        % "".join(
            '<span><i style="background:%s"></i>%s</span>' % (colour, escape(state)) for state, colour in STATE_COLOURS.items()
        ),
    ]
    for cloud_name in [name for name in CLOUDS if any(t["cloud"] == name for t in targets)] or []:
        cloud_targets = [t for t in targets if t["cloud"] == cloud_name]
        body.append('<h2 id="%s">%s</h2>' % (escape(cloud_name, quote=True), escape(CLOUDS[cloud_name].title)))
        body.append(
            '<table class="cloud" data-cloud="%s"><thead><tr><th>scope</th><th>target</th><th>verdict</th>'
            "<th>last success (UTC)</th><th>age</th><th>last job</th><th>last error</th></tr></thead><tbody>"
            % escape(cloud_name, quote=True)
        )
        body.append(_target_rows(cloud_targets))
        body.append("</tbody></table>")
        for scope in [s for s in status.get("scopes") or [] if s["cloud"] == cloud_name and s.get("in_use", True)]:
            scope_targets = [t for t in cloud_targets if t["scope"] == scope["scope"]]
            shown = len(scope.get("jobs") or [])
            body.append(
                "<h3>%s %s: %d jobs in the window%s</h3>"
                % (
                    escape(cloud_name),
                    escape(scope["scope"]),
                    scope.get("jobs_in_window", shown),
                    " (the newest %d drawn)" % shown if scope.get("jobs_in_window", shown) > shown else "",
                )
            )
            body.append(timeline_svg(scope, scope_targets, checked_at, max_age))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>%s</title><style>%s</style></head>\n'
        "<body>\n%s\n</body></html>\n" % (escape(title), _STYLE, "\n".join(body))
    )


def report_markdown(status: Dict[str, Any], title: str = "CCKM synchronization status") -> str:
    """A short summary: counts, then every target that is not ok or running."""
    counts = status.get("counts") or {}
    targets = status.get("targets") or []
    lines = [
        "# %s" % title,
        "",
        "Checked at %s, max age %s: %s"
        % (
            status.get("checked_at"),
            human_age(status.get("max_age")),
            "in sync." if status.get("in_sync") else "**not in sync**%s." % ("" if targets else ": nothing was checked"),
        ),
        "",
        "| " + " | ".join(VERDICTS) + " |",
        "|" + "---|" * len(VERDICTS),
        "| " + " | ".join(str(counts.get(v, 0)) for v in VERDICTS) + " |",
        "",
    ]
    bad = [t for t in targets if t["verdict"] not in ("ok", "running")]
    if not targets:
        lines.append("No target found: nothing was checked. %s" % " ".join(status.get("warnings") or []))
    elif bad:
        lines += ["| cloud | scope | target | verdict | last success | last job | last error |", "|---|---|---|---|---|---|---|"]
        for target in bad:
            job = target.get("last_job") or {}
            cells = [
                target["cloud"],
                target["scope"],
                target["target"],
                target["verdict"],
                target.get("last_success_at") or "never",
                "%s %s" % (job["id"], job["state"]) if job else "-",
                _last_error(target),
            ]
            lines.append("| " + " | ".join(str(cell).replace("|", "\\|").replace("\n", " ") for cell in cells) + " |")
    else:
        lines.append("Every target is ok or running.")
    return "\n".join(lines) + "\n"
