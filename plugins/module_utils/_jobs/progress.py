# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The progress snapshot a wait writes after each poll and the action plugin prints from.

Internal to ciphertrust.cckm: not a public API, may change without notice.
One schema, used by both sides: the module (``write_progress``) and the controller
(``read_progress``, ``progress_line``).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, List, NamedTuple, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import FINISHED_STATES, summarize_states

SHOWN_IDS = 5
"""Running job ids a progress line names before "and N more"."""


class Progress(NamedTuple):
    """What a person watching a wait wants to see: how long, how many polls, what still runs."""

    elapsed: float
    polls: int
    in_progress: List[str]
    summary: Dict[str, int]
    last_error: Optional[str]

    @classmethod
    def of(cls, jobs: List[Dict[str, Any]], elapsed: float, polls: int, last_error: Any = None) -> Progress:
        """The snapshot after a poll of normalized ``jobs`` (``last_error`` a CckmError or None)."""
        running = [str(job.get("id")) for job in jobs if job["state"] not in FINISHED_STATES]
        message = getattr(last_error, "message", None) if last_error is not None else None
        return cls(round(elapsed, 1), polls, running, summarize_states(jobs), message)


def write_progress(path: str, progress: Progress) -> None:
    """Replace the progress file atomically so a reader never sees half a file (OSError on failure)."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".cckm-progress-")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(progress._asdict(), stream)
        os.replace(temporary, path)
    except OSError:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def read_progress(path: str) -> Optional[Progress]:
    """The latest snapshot, or None when there is none yet (or it cannot be read)."""
    try:
        with open(path) as handle:
            data = json.load(handle)
        return Progress(**{field: data[field] for field in Progress._fields})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_line(host: str, cloud: str, scope: str, progress: Optional[Progress], elapsed: float) -> str:
    """One line for the job output, e.g. ``[localhost] waiting for aws keys synchronization: 2 job(s) ...``."""
    what = "%s %s" % (cloud, scope)
    if progress is None:
        return "[%s] waiting for %s synchronization: no answer from CipherTrust Manager after %.0f s" % (host, what, elapsed)
    running = progress.in_progress
    line = "[%s] waiting for %s synchronization: %d job(s) in progress after %.0f s (%s)" % (
        host,
        what,
        len(running),
        elapsed,
        plural(progress.polls, "poll"),
    )
    if running:
        more = len(running) - SHOWN_IDS
        line += ": " + ", ".join(running[:SHOWN_IDS]) + (" and %d more" % more if more > 0 else "")
    if progress.last_error:
        line += "; last error: %s" % progress.last_error
    return line


def plural(count: int, noun: str) -> str:
    """``1 poll``, ``2 polls``."""
    return "%d %s%s" % (count, noun, "" if count == 1 else "s")
