# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fleet report: ``sync_status``'s result as one self-contained HTML page and as a Markdown summary.

Internal to ciphertrust.cckm: not a public API, may change without notice.

The page answers first (in sync or not, the counts), then lists what needs attention, most severe first, each
target with its last job, that job's error for it and the next step as a command to paste; then a table per cloud
and a timeline per scope (``_fleet.timeline``). It loads nothing from anywhere (no script, font, image or style
sheet): it opens from a file, an AWX artifact or a mail attachment alike, at desktop and phone widths, and prints.
Every text from CM is escaped.
"""

from __future__ import annotations

import datetime
from html import escape
from typing import Any, Dict, List, Optional, Sequence

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import duration_text, parse_time
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.attention import (
    SEVERITY,
    by_severity,
    first_error,
    needs_attention,
    next_step,
    running_in_scopes,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import OK, VERDICTS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.timeline import OUTCOME_COLOURS, timeline_html

VERDICT_COLOURS = {"ok": "#1a7f37", "running": "#0969da", "failing": "#cf222e", "stale": "#9a6700", "never": "#57606a"}
MAX_CARDS = 200
"""Targets listed under "Needs attention" at most (the tables below hold every one)."""

_STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; padding: 16px; max-width: 1280px;
  color: #1f2328; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 18px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.answer { font-size: 18px; font-weight: 600; margin: 4px 0; }
.answer.bad { color: #cf222e; } .answer.good { color: #1a7f37; }
.meta { color: #57606a; font-size: 13px; margin: 4px 0 10px; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; padding: 0; list-style: none; }
.counts li { white-space: nowrap; font-size: 14px; }
.counts b { font-size: 16px; margin-right: 4px; }
.verdict { display: inline-block; color: #fff; font-weight: 600; border-radius: 4px; padding: 0 6px; font-size: 12px;
  white-space: nowrap; }
.warnings { background: #fff8c5; border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; font-size: 13px; }
.card { border: 1px solid #d0d7de; border-left: 6px solid #57606a; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
.card h3 { margin: 0 0 2px; font-size: 14px; overflow-wrap: anywhere; font-weight: 600; }
.card h3 .since { font-weight: 400; color: #57606a; font-size: 13px; white-space: nowrap; }
.card p { margin: 2px 0; font-size: 13px; overflow-wrap: anywhere; }
.card .error { color: #82071e; }
.card .next { color: #1f2328; }
.card pre { margin: 2px 0 0; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #f6f8fa; border-radius: 6px; padding: 6px 8px; margin: 6px 0 2px; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 4px 0 12px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; white-space: nowrap; }
td.when, td.age { white-space: nowrap; }
td.job { overflow-wrap: anywhere; min-width: 14em; }
td.name { overflow-wrap: anywhere; min-width: 12em; }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; margin: 6px 0; }
.legend span { white-space: nowrap; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 3px; vertical-align: -1px; }
.timeline { margin: 4px 0 16px; }
.tl-row { display: grid; grid-template-columns: 15em 1fr; align-items: center; gap: 8px; min-height: 18px; }
.tl-label { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.strip { display: block; width: 100%; height: 16px; background: #f6f8fa; }
.strip .tick { stroke: #d0d7de; stroke-width: 1; vector-effect: non-scaling-stroke; }
.strip .now { stroke: #1f2328; stroke-width: 2; vector-effect: non-scaling-stroke; }
.strip .boundary { stroke: #9a6700; stroke-width: 1.5; stroke-dasharray: 3 2; vector-effect: non-scaling-stroke; }
.strip .beyond { fill: #fff8c5; opacity: 0.7; }
.strip .success-mark { fill: #1a7f37; opacity: 0.55; }
.tl-axis { position: relative; height: 18px; font-size: 11px; color: #57606a; }
.tl-axis span { position: absolute; top: 2px; transform: translateX(-50%); white-space: nowrap; }
.tl-axis .now { right: 0; transform: none; font-weight: 600; color: #1f2328; }
.tl-axis .boundary { top: -2px; color: #9a6700; font-weight: 600; }
.tl-caption { color: #57606a; white-space: normal; font-size: 11px; }
.more { font-size: 12px; color: #57606a; }
@media (max-width: 600px) {
  body { padding: 10px; }
  .tl-row { grid-template-columns: 1fr; gap: 1px; margin-bottom: 3px; }
  .tl-axis-row .tl-caption { order: 2; }
  .tl-axis .minor { display: none; }
  table.cloud thead { display: none; }
  table.cloud, table.cloud tbody, table.cloud tr, table.cloud td { display: block; }
  table.cloud tr { border: 1px solid #d0d7de; border-radius: 6px; margin: 6px 0; padding: 4px 0; }
  table.cloud td { border: none; padding: 1px 8px; min-width: 0; }
  table.cloud td:empty { display: none; }
  table.cloud td::before { content: attr(data-label) ": "; color: #57606a; }
}
@media print {
  body { max-width: none; padding: 0; }
  .table-scroll { overflow: visible; }
  .card, .tl-row, tr { break-inside: avoid; }
  .verdict, .legend i, .strip, .card { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def human_age(seconds: Optional[int]) -> str:
    return "-" if seconds is None else duration_text(seconds)


def when(text: Optional[str]) -> str:
    """CM's RFC 3339 time as people read it: ``2026-12-06 02:03 UTC`` ('-' for none)."""
    moment = parse_time(text)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _badge(verdict: str) -> str:
    return '<span class="verdict" style="background:%s">%s</span>' % (VERDICT_COLOURS.get(verdict, "#57606a"), escape(verdict))


def in_sync_sentence(status: Dict[str, Any]) -> str:
    """The page's one-line answer."""
    targets = status.get("targets") or []
    if not targets:
        return "No target found: nothing was checked, so this is not in sync."
    attention = [t for t in targets if t.get("verdict") != OK]
    if status.get("in_sync"):
        running = " (%d running past max_age)" % len(attention) if attention else ""
        return "Every target is in sync%s." % running
    return "Not every target is in sync: %d of %d need attention." % (len(attention), len(targets))


def _since(target: Dict[str, Any]) -> str:
    if not target.get("last_success_at"):
        return "never succeeded"
    return "last success %s ago" % human_age(target.get("age"))


def _job_line(target: Dict[str, Any], checked_at: Optional[datetime.datetime]) -> str:
    """``Job <id> failed for it 10 min ago (2026-12-06 06:56 UTC): <its first error for the target>``."""
    job = target.get("last_job") or {}
    running = target.get("running_job") or {}
    parts = []
    if job:
        ended = parse_time(job.get("completed_at") or job.get("createdAt"))
        ago = (
            " %s ago" % duration_text(int((checked_at - ended).total_seconds()))
            if ended and checked_at and checked_at > ended
            else ""
        )
        parts.append(
            "Job %s %s for it%s (%s)"
            % (
                job.get("id"),
                (job.get("outcome") or job.get("state") or "").replace("_", " "),
                ago,
                when(job.get("completed_at") or job.get("createdAt")),
            )
        )
    else:
        parts.append("No finished job covers it")
    error = first_error(target)
    text = escape(parts[0]) + (': <span class="error">%s</span>' % escape(error) if error else ".")
    if running:
        text += " Running now: job %s, since %s." % (escape(str(running.get("id"))), escape(when(running.get("createdAt"))))
    return text


def _card(target: Dict[str, Any], max_age_text: str, checked_at: Optional[datetime.datetime], running: Sequence[str]) -> str:
    step = next_step(target, max_age_text, running)
    lines = ["<p>%s</p>" % _job_line(target, checked_at)]
    if step is not None:
        lines.append('<p class="next">%s</p><pre><code>%s</code></pre>' % (escape(step.advice), escape(step.command)))
    return (
        '<div class="card" data-cloud="%s" data-scope="%s" data-target="%s" data-verdict="%s" style="border-left-color:%s">'
        '<h3>%s <span class="where">%s %s</span> <code>%s</code> <span class="since">%s</span></h3>%s</div>'
        % (
            escape(str(target["cloud"]), quote=True),
            escape(str(target["scope"]), quote=True),
            escape(str(target["target"]), quote=True),
            escape(str(target["verdict"]), quote=True),
            VERDICT_COLOURS.get(target["verdict"], "#57606a"),
            _badge(target["verdict"]),
            escape(str(target["cloud"])),
            escape(str(target["scope"])),
            escape(str(target["target"])),
            escape(_since(target)),
            "".join(lines),
        )
    )


def _target_rows(targets: List[Dict[str, Any]]) -> str:
    rows = []
    for target in targets:
        job = target.get("last_job") or {}
        running = target.get("running_job") or {}
        job_text = "%s %s" % (job.get("id"), job.get("outcome") or job.get("state")) if job else "-"
        rows.append(
            '<tr class="target" data-cloud="%s" data-scope="%s" data-target="%s" data-verdict="%s">'
            '<td data-label="scope">%s</td><td class="name" data-label="target">%s</td><td data-label="verdict">%s</td>'
            '<td class="when" data-label="last success">%s</td><td class="age" data-label="age">%s</td>'
            '<td class="job" data-label="last job">%s</td><td data-label="error">%s</td></tr>'
            % tuple(
                [escape(str(target[key]), quote=True) for key in ("cloud", "scope", "target", "verdict")]
                + [
                    escape(target["scope"]),
                    escape(target["target"]),
                    _badge(target["verdict"]),
                    escape(when(target.get("last_success_at")) if target.get("last_success_at") else "never"),
                    escape(human_age(target.get("age"))),
                    escape(job_text) + ("<br>running: %s" % escape(str(running["id"])) if running else ""),
                    escape(first_error(target)),
                ]
            )
        )
    return "\n".join(rows)


def _legend() -> str:
    return '<p class="legend">Bars, by what the job did for that target: %s<span>%s last success</span></p>' % (
        "".join(
            '<span><i style="background:%s"></i>%s</span>' % (colour, escape(outcome.replace("_", " ")))
            for outcome, colour in OUTCOME_COLOURS.items()
        ),
        '<i style="background:#1a7f37;opacity:.55;width:3px"></i>',
    )


def report_html(status: Dict[str, Any], title: str = "CCKM synchronization status") -> str:
    """The whole page."""
    checked_at = parse_time(status.get("checked_at")) or datetime.datetime.now(datetime.timezone.utc)
    max_age = int(status.get("max_age") or 86400)
    max_age_text = duration_text(max_age)
    targets = status.get("targets") or []
    counts = status.get("counts") or {}
    scopes_read = [s for s in status.get("scopes") or [] if s.get("in_use", True)]
    good = bool(targets) and bool(status.get("in_sync"))
    body = [
        "<h1>%s</h1>" % escape(title),
        '<p class="answer %s">%s</p>' % ("good" if good else "bad", escape(in_sync_sentence(status))),
        '<ul class="counts">%s</ul>'
        % "".join('<li data-verdict="%s"><b>%d</b>%s</li>' % (v, counts.get(v, 0), _badge(v)) for v in SEVERITY if v in VERDICTS),
        '<p class="meta">Checked %s &middot; ok means a success within the last %s &middot; %d targets in %d scopes</p>'
        % (escape(when(status.get("checked_at"))), escape(max_age_text), len(targets), len(scopes_read)),
    ]
    if status.get("warnings"):
        body.append('<div class="warnings">%s</div>' % "".join("<p>%s</p>" % escape(str(w)) for w in status["warnings"]))
    attention = needs_attention(status)
    body.append('<h2 id="attention">Needs attention (%d)</h2>' % len(attention))
    if not targets:
        body.append("<p>Nothing was checked: no target was found. Check the warnings above.</p>")
    elif not attention:
        body.append("<p>Nothing: every target has a successful synchronization within the last %s.</p>" % escape(max_age_text))
    else:
        running = running_in_scopes(status)
        cards = [_card(t, max_age_text, checked_at, running.get((t["cloud"], t["scope"]), ())) for t in attention[:MAX_CARDS]]
        body.append('<div class="attention">%s</div>' % "".join(cards))
        if len(attention) > MAX_CARDS:
            body.append('<p class="more">%d more in the tables below.</p>' % (len(attention) - MAX_CARDS))
    for cloud_name in [name for name in CLOUDS if any(t["cloud"] == name for t in targets)]:
        cloud_targets = by_severity([t for t in targets if t["cloud"] == cloud_name])
        body.append('<h2 id="%s">%s</h2>' % (escape(cloud_name, quote=True), escape(CLOUDS[cloud_name].title)))
        body.append(
            '<div class="table-scroll"><table class="cloud" data-cloud="%s"><thead><tr><th>scope</th><th>target</th>'
            "<th>verdict</th><th>last success</th><th>age</th><th>last job</th><th>error for this target</th></tr></thead>"
            "<tbody>" % escape(cloud_name, quote=True)
        )
        body.append(_target_rows(cloud_targets))
        body.append("</tbody></table></div>")
        for scope in [s for s in scopes_read if s["cloud"] == cloud_name]:
            scope_targets = [t for t in cloud_targets if t["scope"] == scope["scope"]]
            shown = len(scope.get("jobs") or [])
            in_window = scope.get("jobs_in_window", shown)
            body.append(
                "<h3>%s %s: %d jobs in the last %s%s</h3>"
                % (
                    escape(cloud_name),
                    escape(scope["scope"]),
                    in_window,
                    escape(max_age_text),
                    " (the newest %d drawn)" % shown if in_window > shown else "",
                )
            )
            body.append(timeline_html(scope, scope_targets, checked_at, max_age))
    if targets:
        body.append(_legend())
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>%s</title><style>%s</style></head>\n<body>\n%s\n</body></html>\n" % (escape(title), _STYLE, "\n".join(body))
    )


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def report_markdown(status: Dict[str, Any], title: str = "CCKM synchronization status") -> str:
    """A short summary: the answer, the counts, then what needs attention (most severe first) with the next steps."""
    counts = status.get("counts") or {}
    targets = status.get("targets") or []
    max_age_text = human_age(status.get("max_age"))
    lines = [
        "# %s" % title,
        "",
        "Checked %s, max age %s: %s"
        % (
            when(status.get("checked_at")),
            max_age_text,
            "in sync." if status.get("in_sync") else "**not in sync**%s." % ("" if targets else ": nothing was checked"),
        ),
        "",
        "| " + " | ".join(VERDICTS) + " |",
        "|" + "---|" * len(VERDICTS),
        "| " + " | ".join(str(counts.get(v, 0)) for v in VERDICTS) + " |",
        "",
    ]
    attention = needs_attention(status)
    if not targets:
        lines.append("No target found: nothing was checked. %s" % " ".join(status.get("warnings") or []))
    elif attention:
        lines += [
            "## Needs attention",
            "",
            "| cloud | scope | target | verdict | last success | last job | error for this target |",
            "|---|---|---|---|---|---|---|",
        ]
        for target in attention:
            job = target.get("last_job") or {}
            cells = [
                target["cloud"],
                target["scope"],
                target["target"],
                target["verdict"],
                when(target.get("last_success_at")) if target.get("last_success_at") else "never",
                "%s %s" % (job["id"], job.get("outcome") or job["state"]) if job else "-",
                first_error(target),
            ]
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        lines += ["", "Next steps (most severe first):", ""]
        running = running_in_scopes(status)
        for target in attention[:20]:
            step = next_step(target, max_age_text, running.get((target["cloud"], target["scope"]), ()))
            if step is not None:
                lines += [
                    "- %s %s %s: %s" % (target["cloud"], target["scope"], target["target"], step.advice),
                    "",
                    "  ```",
                    *["  " + line for line in step.command.splitlines()],
                    "  ```",
                ]
        if len(attention) > 20:
            lines.append("- and %d more (see the page)" % (len(attention) - 20))
    else:
        lines.append("Every target is ok.")
    return "\n".join(lines) + "\n"
