# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waiting for a schedule's next run: until CM's scheduler starts it, then until its synchronization job ends.

Internal to ciphertrust.cckm: not a public API, may change without notice.

How a scheduler run names the job it starts is not documented, so the run is recognized by what it does: the
first job of the schedule's cloud and scope created at or after the run's due time that covers the schedule's
targets (or synchronizes everything when the schedule does). Until it appears, each poll is one listing of the
scope's newest jobs; from then on the job is watched by id, as ``sync_job_wait id=...`` does.
"""

from __future__ import annotations

import datetime
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import parse_time
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.progress import plural
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery, newest_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import WaitOutcome, all_finished
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.watch import IdWatch, Judgement, Watch, jobs_failure
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.api import find_schedule, what_a_run_starts
from ansible_collections.ciphertrust.cckm.plugins.module_utils._scheduler.schedules import (
    cloud_of,
    next_run_at,
    params_of,
    why_it_never_runs,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.start import StartRequest, covering_jobs

Jobs = List[Dict[str, Any]]


def schedule_to_wait_for(client: Any, name: str, cloud: str, now: datetime.datetime) -> Tuple[Dict[str, Any], str]:
    """The schedule named ``name`` (CM's config) and when its next run is due (UTC, after ``now``), checked: it
    exists, synchronizes ``cloud`` and runs again."""
    try:
        config = find_schedule(client, name)
    except CckmInputError as error:  # find_schedule names its own option (sync_schedule's name)
        raise CckmInputError("schedule", error.message.split(": ", 1)[-1]) from None
    if config is None:
        raise CckmInputError(
            "schedule",
            "no synchronization schedule is named %r on CipherTrust Manager; ciphertrust.cckm.sync_schedule_info lists "
            "them." % name,
        )
    owner = cloud_of(config)
    if owner is None:
        raise CckmInputError(
            "schedule",
            "%r synchronizes cloud_name %r, which is none of this collection's clouds (%s), so this collection cannot "
            "wait for its runs; ciphertrust.cckm.sync_schedule_info name=%s shows it."
            % (name, str(params_of(config).get("cloud_name") or ""), ", ".join(CLOUDS), name),
        )
    if owner.name != cloud:
        raise CckmInputError("schedule", "%r synchronizes %s, not %s; give cloud=%s." % (name, owner.name, cloud, owner.name))
    due = next_run_at(config, now)
    if due is None:
        why = "it is disabled" if config.get("disabled") is True else why_it_never_runs(config, now) or "it has no next run"
        raise CckmInputError("schedule", "%r does not run again (%s), so there is no run to wait for." % (name, why))
    return config, due


class ScheduleRunWatch(Watch):
    """Watch the run of ``config`` due at ``due`` (its next run when the wait began): until it starts, then its job."""

    def __init__(self, client: Any, query: JobQuery, config: Dict[str, Any], due: str) -> None:
        self.client = client
        self.query = query
        self.name = str(config.get("name"))
        self.due = due
        self._due = parse_time(due)
        request: Optional[StartRequest] = what_a_run_starts(config)
        if request is None:  # schedule_to_wait_for checked the cloud: only a caller that did not gets here
            raise CckmInputError("schedule", "%r synchronizes a cloud this collection does not know." % self.name)
        self.request = request
        self.job_watch: Optional[IdWatch] = None

    def _started(self) -> Optional[Dict[str, Any]]:
        """The run's job: the oldest covering job created at or after the due time, or None while there is none."""
        jobs = newest_jobs(self.client, self.request.cloud, self.request.scope)
        since = [job for job in jobs if (parse_time(job.get("createdAt")) or datetime.datetime.min) >= self._due]
        covering = covering_jobs(since, self.request)
        return covering[-1] if covering else None

    def poll(self) -> Jobs:
        if self.job_watch is None:
            job = self._started()
            if job is None:
                return []
            self.job_watch = IdWatch(self.client, self.query, [str(job["id"])])
            return [job]
        return self.job_watch.poll()

    def done(self, jobs: Jobs) -> bool:
        """Done once the run has started and its job has ended (no job yet: not done, unlike a wait by filter)."""
        return bool(jobs) and all_finished(jobs)

    def origin(self) -> str:
        return "This is schedule %r's run due at %s (UTC)." % (self.name, self.due)

    def not_started_message(self, outcome: WaitOutcome) -> str:
        """A timeout before the run started: what was looked for, and what to check."""
        message = (
            "Timed out after %.0f s and %s waiting for schedule %r's run due at %s (UTC) to start: CipherTrust Manager "
            "has no %s job created since then that covers the schedule's targets. Check that the schedule is enabled "
            "and that CM's scheduler runs (ciphertrust.cckm.sync_schedule_info name=%s shows its last runs); give a "
            "timeout that reaches past the due time."
            % (outcome.elapsed, plural(outcome.polls, "poll"), self.name, self.due, self.query.describe(), self.name)
        )
        if outcome.last_error:
            message += " Last error: %s" % outcome.last_error.message
        return message

    def judge(self, jobs: Jobs, fail_on: List[str]) -> Judgement:
        failed = [job for job in jobs if job["state"] in fail_on]
        return Judgement(jobs_failure(failed) if failed else None, [], {"run_due_at": self.due})
