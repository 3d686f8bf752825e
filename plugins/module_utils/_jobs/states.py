# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalized state of a CCKM synchronization job.

Internal to ciphertrust.cckm: not a public API, may change without notice.

CM reports ``overall_status`` with several spellings (``in_progress``, ``in progress``,
``completed``, ``failed``, ``error``, ``aborted``), marks cancelled jobs with ``abort: true``
and can report per-target errors inside a ``completed`` job. Everything the collection
returns carries ``state`` and ``errors`` computed here, beside the raw fields.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Tuple

IN_PROGRESS = "in_progress"
SUCCEEDED = "succeeded"
PARTIAL = "partial"
FAILED = "failed"
CANCELLED = "cancelled"
UNKNOWN = "unknown"

STATES: Tuple[str, ...] = (IN_PROGRESS, SUCCEEDED, PARTIAL, FAILED, CANCELLED, UNKNOWN)
FINISHED_STATES: Tuple[str, ...] = (SUCCEEDED, PARTIAL, FAILED, CANCELLED)
FAIL_ON_CHOICES: Tuple[str, ...] = (FAILED, CANCELLED, PARTIAL)
"""Final states a wait may fail on (``fail_on``, ``wait_for_sync_fail_on``)."""
DEFAULT_FAIL_ON: Tuple[str, ...] = (FAILED, CANCELLED)
"""What a wait fails on unless told otherwise: a partial job (completed with errors) passes."""

STATUS_FILTER_SPELLINGS: Dict[str, Tuple[str, ...]] = {
    "in_progress": ("in_progress", "in progress"),
    "completed": ("completed",),
    "failed": ("failed", "error"),
}
"""``overall_status`` filter choice -> the raw values CM may store for it."""

STATUS_SPELLINGS: Dict[str, Tuple[str, ...]] = {
    IN_PROGRESS: ("in_progress", "running", "started", "pending", "queued", "scheduled", "active"),
    SUCCEEDED: ("completed", "complete", "succeeded", "success", "successful", "done", "finished"),
    FAILED: ("failed", "failure", "error", "errored"),
    CANCELLED: ("aborted", "cancelled", "canceled"),
}
"""State -> the statuses (canonical: lower case, ``_`` for spaces and dashes) a job or a scheduler run may
report for it. CM documents ``in_progress``/``in progress``, ``completed``, ``failed``/``error`` and
``aborted`` for jobs; the rest are what a run's ``job_status`` or a future CM might say."""

_ERROR_WORDS = re.compile(r"\b(error|errors|errored|fail|failed|failure|unable|denied|exception|invalid)\b", re.I)


def _canonical_status(raw: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(raw or "").strip().lower())


def job_errors(job: Dict[str, Any]) -> List[Dict[str, str]]:
    """``{target, message}`` for every ``detailed_status`` entry that reports an error."""
    detailed = job.get("detailed_status")
    if not isinstance(detailed, dict):
        return []
    return [
        {"target": str(target), "message": str(message)}
        for target, message in detailed.items()
        if _ERROR_WORDS.search(str(message))
    ]


def status_state(raw: Any) -> str:
    """The state a raw status of a job or a scheduler run names (any case, spaces or dashes), else UNKNOWN."""
    status = _canonical_status(raw)
    return next((state for state, spellings in STATUS_SPELLINGS.items() if status in spellings), UNKNOWN)


def job_state(job: Dict[str, Any], errors: List[Dict[str, str]]) -> str:
    """One of STATES for a raw job (``errors`` as returned by job_errors)."""
    state = status_state(job.get("overall_status"))
    if state in (SUCCEEDED, FAILED) and job.get("abort") is True:
        return CANCELLED
    if state == SUCCEEDED and errors:
        return PARTIAL
    return state


def normalize_job(job: Dict[str, Any]) -> Dict[str, Any]:
    """Add ``state`` and ``errors`` to a raw job, in place, and return it."""
    errors = job_errors(job)
    job["state"] = job_state(job, errors)
    job["errors"] = errors
    return job


def summarize_states(jobs: Iterable[Dict[str, Any]]) -> Dict[str, int]:
    """Count of normalized jobs per state; every state is present, zero or not."""
    summary = dict.fromkeys(STATES, 0)
    for job in jobs:
        summary[job["state"]] += 1
    return summary


def created(job: Dict[str, Any]) -> str:
    """A job's ``createdAt`` as text: CM's RFC 3339 UTC times order as text, so jobs are compared by it."""
    return str(job.get("createdAt") or "")


def newest_first(jobs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Jobs sorted by ``createdAt`` descending (ISO-8601 strings sort as text), in place."""
    jobs.sort(key=created, reverse=True)
    return jobs


def unknown_status_warnings(jobs: Iterable[Dict[str, Any]]) -> List[str]:
    """One warning per distinct never-seen ``overall_status`` value."""
    seen: Dict[str, str] = {}
    for job in jobs:
        if job["state"] == UNKNOWN:
            seen.setdefault(str(job.get("overall_status")), str(job.get("id")))
    return [
        "Synchronization job %s has an overall_status never seen before (%r); it is reported as "
        "state 'unknown' and not treated as finished." % (job_id, status)
        for status, job_id in seen.items()
    ]
