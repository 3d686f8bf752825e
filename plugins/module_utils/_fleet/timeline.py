# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One scope's jobs on a time axis, a row per target, as HTML and SVG that scale to any width.

Internal to ciphertrust.cckm: not a public API, may change without notice.

Each row is a label (HTML, shortened from the left so the distinguishing end shows, the whole name on hover) and
a strip (an SVG whose ``viewBox`` stretches to the row's width): each job that covers the target is a bar from its
start to its end, coloured by what it did for *this* target (a partial job is red on the target its error names,
green on the others), with hover text. The axis runs from ``now`` on the right back to the oldest last success a
row shows (at most MAX_SPAN), by age on a logarithmic scale so that a job of seconds ten minutes ago reads as well
as one three days ago; ``max_age`` is marked, and the time older than it shaded.
"""

from __future__ import annotations

import datetime
import math
from html import escape
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import duration_text, parse_time

STRIP = 1000.0
"""Width of a strip in its viewBox units (stretched to the row)."""
ROW = 16
"""Height of a strip (px and viewBox units)."""
MIN_BAR = 5.0
"""Narrowest bar (viewBox units): a job of seconds still shows."""
MAX_SPAN = 30 * 86400
"""The axis reaches back this far at most, for the oldest last success it shows."""
MAX_ROWS = 100
"""Rows drawn per scope (most severe first); the rest are counted under the timeline."""
LABEL_CHARS = 30
"""Characters of a label at most (the whole name is its hover text)."""

OUTCOME_COLOURS = {
    "succeeded": "#2da44e",
    "failed": "#cf222e",
    "cancelled": "#8c959f",
    "in_progress": "#0969da",
    "unknown": "#8250df",
}
"""What a job did for one target -> its colour (a partial job is failed or succeeded per target)."""

_LADDER = [60 * m for m in (1, 5, 15)] + [3600 * h for h in (1, 3, 6, 12)] + [86400 * d for d in (1, 2, 3, 7, 14, 30)]
"""Ages the axis may label (each kept when it falls clear of its neighbours)."""
MIN_GAP = 70.0
"""Closest two axis labels may be (viewBox units)."""
MAJOR_GAP = 170.0
"""Closest two of the labels a phone's width keeps."""


class Axis(NamedTuple):
    """Where a moment falls on the strip: by its age on a logarithmic scale, so that the last minutes get room
    beside the last days (a job of seconds ten minutes ago and one of an hour three days ago both read)."""

    now: datetime.datetime
    max_age: int
    span: float
    """Seconds back the left edge stands for."""
    scale: float
    """Seconds at which the scale turns from linear to logarithmic (max_age / 288: 5 min for 24 h)."""

    @classmethod
    def of(cls, now: datetime.datetime, max_age: int, oldest: Optional[datetime.datetime]) -> Axis:
        reach = (now - oldest).total_seconds() * 1.1 if oldest is not None else 0.0
        span = min(max(max_age * 1.25, reach), max(MAX_SPAN, max_age * 1.25))
        return cls(now, max_age, span, max(1.0, max_age / 288.0))

    def at_age(self, seconds: float) -> float:
        seconds = min(max(0.0, seconds), self.span)
        return STRIP * (1 - math.log1p(seconds / self.scale) / math.log1p(self.span / self.scale))

    def x(self, moment: Optional[datetime.datetime]) -> float:
        return self.at_age((self.now - (moment or self.now)).total_seconds())

    @property
    def boundary(self) -> float:
        """x of ``max_age`` ago: older than this, a success no longer makes a target ok."""
        return self.at_age(self.max_age)

    def ticks(self) -> List[Tuple[float, str, bool]]:
        """(x, label, major) of the ages labelled: from the ladder, clear of each other, of ``now`` and of the boundary
        (the major ones far enough apart to stay when a phone's width hides the others)."""
        kept: List[Tuple[float, str, bool]] = []
        for major, gap in ((True, MAJOR_GAP), (False, MIN_GAP)):
            wide = [STRIP, self.boundary]  # "now" and "max age 24 h" are wider than a tick's label
            taken = wide + [x for x, _label, _major in kept]
            for age in _LADDER:
                x = self.at_age(age)
                clear = all(abs(x - other) >= (gap * 1.5 if other in wide else gap) for other in taken)
                if age < self.span and clear and x >= gap / 2:
                    kept.append((x, duration_text(age) + " ago", major))
                    taken.append(x)
        return sorted(kept)


def short_labels(names: List[str], limit: int = LABEL_CHARS) -> Dict[str, str]:
    """Each name shortened from the left to ``limit`` characters, so that names sharing a long prefix still read
    apart (``…/keyRings/ring-1``); names that would then read the same keep their head too, or stay whole."""
    labels = {name: name if len(name) <= limit else "…" + name[-(limit - 1) :] for name in names}
    seen: Dict[str, List[str]] = {}
    for name, label in labels.items():
        seen.setdefault(label, []).append(name)
    for same in (group for group in seen.values() if len(group) > 1):
        head = limit // 3
        for name in same:
            labels[name] = name[:head] + "…" + name[-(limit - head - 1) :]
        if len({labels[name] for name in same}) < len(same):
            for name in same:
                labels[name] = name
    return labels


def _covers(job: Dict[str, Any], name: str) -> bool:
    """Whether a window job (``sync_status``'s compact form) covers the target ``name``."""
    if job.get("everything"):
        return True
    if "covers" in job:
        return name in job["covers"]
    listed = job.get("targets") or []  # a result of 1.0.0, before jobs carried ``covers``
    return not listed or name in listed


def target_outcome(job: Dict[str, Any], name: str) -> str:
    """How a job ended for one target: a partial job failed for the targets its errors name, succeeded for the rest."""
    state = str(job.get("state"))
    if state == "partial":
        return "failed" if name in (job.get("errors_for") or []) else "succeeded"
    return state if state in OUTCOME_COLOURS else "unknown"


def _when(moment: Optional[datetime.datetime]) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def row_jobs(scope: Dict[str, Any], target: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The jobs drawn on one target's row: the window's jobs that cover it, and its last job and running job when
    they lie outside the window (a stale target's last success)."""
    name = target["target"]
    jobs: List[Dict[str, Any]] = []
    seen = set()
    for job in scope.get("jobs") or []:
        if _covers(job, name):
            jobs.append(
                {
                    "id": job.get("id"),
                    "outcome": target_outcome(job, name),
                    "begin": parse_time(job.get("createdAt")),
                    "end": None if job.get("state") == "in_progress" else parse_time(job.get("completed_at")),
                    "error": "",
                }
            )
            seen.add(job.get("id"))
    last = target.get("last_job") or {}
    if last and last.get("id") not in seen:
        outcome = last.get("outcome") or last.get("state")
        jobs.append(
            {
                "id": last.get("id"),
                "outcome": "failed" if outcome == "partial" else (outcome if outcome in OUTCOME_COLOURS else "unknown"),
                "begin": parse_time(last.get("createdAt")),
                "end": parse_time(last.get("completed_at")) or parse_time(last.get("createdAt")),
                "error": "",
            }
        )
        seen.add(last.get("id"))
    running = target.get("running_job") or {}
    if running and running.get("id") not in seen:
        jobs.append(
            {"id": running.get("id"), "outcome": "in_progress", "begin": parse_time(running.get("createdAt")), "end": None}
        )
    errors = last.get("errors") or []
    for job in jobs:
        job.setdefault("error", "")
        if job["id"] == last.get("id") and errors:
            job["error"] = str(errors[0].get("message") or "")
    return jobs


def oldest_shown(scope: Dict[str, Any], targets: List[Dict[str, Any]]) -> Optional[datetime.datetime]:
    """The oldest moment a row draws: a job's start or a last success."""
    moments = [parse_time(t.get("last_success_at")) for t in targets]
    moments += [job["begin"] for t in targets for job in row_jobs(scope, t)]
    found = [moment for moment in moments if moment is not None]
    return min(found) if found else None


def _bar(axis: Axis, job: Dict[str, Any], name: str) -> str:
    left = axis.x(job["begin"])
    right = axis.x(job["end"])
    left = min(left, STRIP - MIN_BAR)
    width = max(MIN_BAR, right - left)
    hover = "%s: %s for %s\nstarted %s, %s" % (
        job["id"],
        job["outcome"].replace("_", " "),
        name,
        _when(job["begin"]),
        "still running" if job["end"] is None else "ended " + _when(job["end"]),
    )
    if job.get("error"):
        hover += "\n" + job["error"]
    return (
        '<rect class="bar" data-job="%s" data-target="%s" data-outcome="%s" x="%.1f" y="2" width="%.1f" height="%d" '
        'fill="%s"><title>%s</title></rect>'
        % (
            escape(str(job["id"]), quote=True),
            escape(name, quote=True),
            escape(job["outcome"], quote=True),
            left,
            width,
            ROW - 4,
            OUTCOME_COLOURS.get(job["outcome"], OUTCOME_COLOURS["unknown"]),
            escape(hover),
        )
    )


def _strip(axis: Axis, body: List[str], label: str) -> str:
    grid = "".join('<line class="tick" x1="%.1f" y1="0" x2="%.1f" y2="%d"/>' % (x, x, ROW) for x, _text, _major in axis.ticks())
    marks = '<rect class="beyond" x="0" y="0" width="%.1f" height="%d"/>' % (axis.boundary, ROW)
    marks += '<line class="boundary" x1="%.1f" y1="0" x2="%.1f" y2="%d"/>' % (axis.boundary, axis.boundary, ROW)
    marks += '<line class="now" x1="%.1f" y1="0" x2="%.1f" y2="%d"/>' % (STRIP - 1, STRIP - 1, ROW)
    return '<svg class="strip" viewBox="0 0 %d %d" preserveAspectRatio="none" role="img" aria-label="%s">%s%s%s</svg>' % (
        STRIP,
        ROW,
        escape(label, quote=True),
        grid,
        marks,
        "".join(body),
    )


def timeline_html(scope: Dict[str, Any], targets: List[Dict[str, Any]], now: datetime.datetime, max_age: int) -> str:
    """One scope's timeline (``targets``: its reports, most severe first)."""
    drawn = targets[:MAX_ROWS]
    axis = Axis.of(now, max_age, oldest_shown(scope, drawn))
    labels = short_labels([t["target"] for t in drawn])
    rows = []
    for target in drawn:
        name = target["target"]
        body = [_bar(axis, job, name) for job in row_jobs(scope, target)]
        success = parse_time(target.get("last_success_at"))
        if success is not None:
            body.append(
                '<rect class="success-mark" x="%.1f" y="0" width="3" height="%d"><title>last success for %s: %s</title></rect>'
                % (min(axis.x(success), STRIP - 3), ROW, escape(name), _when(success))
            )
        rows.append(
            '<div class="tl-row" data-target="%s"><div class="tl-label" title="%s">%s</div>%s</div>'
            % (
                escape(name, quote=True),
                escape(name, quote=True),
                escape(labels[name]),
                _strip(axis, body, "jobs of %s" % name),
            )
        )
    if not drawn:  # jobs of a scope whose targets are not known (none listed, none named)
        body = [
            _bar(
                axis,
                {
                    "id": job.get("id"),
                    "outcome": target_outcome(job, ""),
                    "begin": parse_time(job.get("createdAt")),
                    "end": None if job.get("state") == "in_progress" else parse_time(job.get("completed_at")),
                },
                "",
            )
            for job in scope.get("jobs") or []
        ]
        rows.append('<div class="tl-row"><div class="tl-label">(no target)</div>%s</div>' % _strip(axis, body, "jobs"))
    ticks = "".join(
        '<span class="tick%s" style="left:%.2f%%">%s</span>' % ("" if major else " minor", x / STRIP * 100, escape(text))
        for x, text, major in axis.ticks()
    )
    ticks += '<span class="boundary" style="left:%.2f%%">max age %s</span>' % (
        axis.boundary / STRIP * 100,
        duration_text(max_age),
    )
    ticks += '<span class="now">now</span>'
    caption = "time by age, the last hours widest; shaded: older than max age"
    more = len(targets) - len(drawn)
    return (
        '<div class="timeline" data-cloud="%s" data-scope="%s">%s'
        '<div class="tl-row tl-axis-row"><div class="tl-label tl-caption">%s</div><div class="tl-axis">%s</div></div>%s</div>'
        % (
            escape(str(scope.get("cloud")), quote=True),
            escape(str(scope.get("scope")), quote=True),
            "".join(rows),
            escape(caption),
            ticks,
            '<p class="more">%d more targets not drawn (the least severe).</p>' % more if more > 0 else "",
        )
    )
