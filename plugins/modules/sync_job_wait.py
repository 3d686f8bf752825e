#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: sync_job_wait
short_description: Wait until CipherTrust Manager CCKM synchronization jobs finish
version_added: 0.1.0
description:
  - Waits until CCKM synchronization of one cloud has finished, then reports how it ended. One task replaces a
    C(uri) + C(until) polling loop. What it waits for, and what decides whether it fails, depends on what it is given.
  - "With targets named (the cloud's scope filter, for example O(kms) for AWS): each target is judged by
    B(the newest job that covers it) - a job that lists it (by name, by CM's id, by the cloud's own id, or as
    C(<name>::<subscription>) for Azure) or that synchronizes everything. The wait ends when no target's
    newest covering job is in progress (a job for a target started while the wait runs supersedes the older
    one), and fails when any target's newest covering job ended in a O(fail_on) state, naming each such target,
    its job, state and errors, and the targets that succeeded. So one target's success never hides another's
    failure. A target no job covers is named in a warning. RV(targets) says how each ended."
  - With O(id), it waits for those jobs and fails if any of them ends in a O(fail_on) state.
  - With neither, it waits for every job of the cloud and scope in progress; if none is, returns at once with the
    newest job of the scope (a O(fail_on) state of that job fails the task, and the message says no job ran).
  - With O(schedule), it waits for that synchronization schedule's next run (as of the task's start) to start, then
    for the job it started to finish, and fails if that job ends in a O(fail_on) state. The run is recognized by what
    it does (how CM links a scheduler run to its job is not documented) - the first job of the schedule's cloud
    created at or after the run's due time that covers the schedule's targets.
  - It logs in once, renews its token as it expires, and rides out CM restarts and transient
    server errors (5xx, 429, dropped connections) until O(timeout).
  - A poll costs the same however long CM's history is - by targets, the scope's newest page (the first poll
    also reads the cloud's target listing once, for the targets' other names, and looks up a target whose newest
    job is below that page by the target filter), plus one request per deciding job still running that is not
    on the page; by id, at most one request per still-running job.
  - A watched job that disappears from CM while the wait watches it (deleted) ends the wait at once,
    with a message that names the job.
author:
  - ciphertrust.cckm contributors (@ciphertrust-cckm)
options:
  cloud:
    description: Cloud whose synchronization jobs to watch.
    type: str
    required: true
  id:
    description:
      - Ids of the jobs to wait for. An id that does not exist fails the task at once.
      - Mutually exclusive with the scope filters (the targets).
    type: list
    elements: str
  schedule:
    description:
      - Name of a synchronization schedule (M(ciphertrust.cckm.sync_schedule)) of O(cloud) whose next run to wait
        for. Until it is due, each poll is one listing of the scope's newest jobs; give a O(timeout) that reaches
        past the due time (RV(run_due_at)) and, for a run hours away, a larger O(max_poll_interval).
      - A schedule that does not exist, synchronizes another cloud, is disabled or never runs again fails the task at
        once. Mutually exclusive with O(id) and the targets.
    type: str
    version_added: 1.1.0
  timeout:
    default: 1800
  poll_interval:
    default: 2
  max_poll_interval:
    default: 30
  fail_on:
    # BEGIN derived: wait-fail-on-default (tools/derive.py writes the lines below from the states' constants; do not edit them)
    default: [failed, cancelled]
    # END derived: wait-fail-on-default
extends_documentation_fragment:
  - ciphertrust.cckm.cckm
  - ciphertrust.cckm.cckm.cloud
  - ciphertrust.cckm.cckm.scope
  - ciphertrust.cckm.cckm.filters
  - ciphertrust.cckm.cckm.wait
  - ciphertrust.cckm.cckm.attributes
  - ciphertrust.cckm.cckm.action_group
seealso:
  - module: ciphertrust.cckm.aws_sync_job_info
"""

EXAMPLES = r"""
- name: Wait for the AWS synchronization of two KMS accounts; fail if either's newest job failed or was cancelled
  ciphertrust.cckm.sync_job_wait:
    cloud: aws
    kms: [kms-prod, kms-dr]
    timeout: 3600
  register: sync

- name: Say how each account ended
  ansible.builtin.debug:
    msg: "{{ item.target }}: {{ item.state }} (job {{ item.job_id }}, ended {{ item.finished_at }})"
  loop: "{{ sync.targets }}"
  loop_control:
    label: "{{ item.target }}"

- name: Wait for jobs started elsewhere, by id, tolerating partial results
  ciphertrust.cckm.sync_job_wait:
    cloud: sfdc
    scope: certificates
    id: "{{ started_jobs | map(attribute='id') | list }}"
    fail_on: [failed]

- name: Wait for tonight's run of a schedule to start and end (it is due at 02:00 UTC; the task starts in the evening)
  ciphertrust.cckm.sync_job_wait:
    cloud: azure
    schedule: nightly-azure-vaults
    timeout: 36000
    max_poll_interval: 300

- name: Poll every 5 seconds exactly, for at most 10 minutes
  ciphertrust.cckm.sync_job_wait:
    cloud: azure
    key_vaults: [keyvault-softkeys]
    poll_interval: 5
    max_poll_interval: 5
    timeout: 600

- name: Report what happened
  ansible.builtin.debug:
    msg: >-
      {% for state, count in sync.summary.items() if count %}{{ count }} {{ state }}{{ ', ' if not loop.last }}{% endfor %}
      after {{ sync.elapsed }} s and {{ sync.polls }} polls
"""

RETURN = r"""
sync_jobs:
  description:
    - Final state of every watched job, newest first, with the raw CM fields plus C(state) and C(errors)
      (see the info modules). With targets named, the jobs that decided (each target's newest covering job,
      each once); with neither targets nor ids and nothing in progress, the newest job of the scope.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0ea5d52e-387c-44fa-b079-21c8b768f77b
      overall_status: completed
      state: succeeded
      errors: []
      abort: false
      createdAt: "2020-11-05T06:39:45.726289Z"
      completed_at: "2020-11-05T06:39:57.973157Z"
      detailed_status: {"123456789012/us-east-1": "region synchronized successfully"}
targets:
  description:
    - With targets named (the scope filter), one entry per target, in the order given - C(target), C(state)
      (what its newest covering job did for it; a partial job is V(succeeded) for a target its errors do not
      name; null when no job covers it), C(job_id), C(finished_at) (null while running) and C(errors) (that
      job's errors that name this target).
  returned: when targets are named
  type: list
  elements: dict
  version_added: 1.1.0
  sample:
    - {"target": "kms-prod", "state": "failed", "job_id": "0ea5d52e-387c-44fa-b079-21c8b768f77b",
       "finished_at": "2026-12-01T02:00:41Z", "errors": [{"target": "kms-prod", "message": "Error synchronizing"}]}
    - {"target": "kms-dr", "state": "succeeded", "job_id": "9b1f0c2a-5d43-4f7e-8a61-2c7e0d9b3f55",
       "finished_at": "2026-12-01T03:00:12Z", "errors": []}
summary:
  description: Number of watched jobs per normalized state; every state is present.
  returned: always
  type: dict
  sample: {"in_progress": 0, "succeeded": 2, "partial": 0, "failed": 0, "cancelled": 0, "unknown": 0}
run_due_at:
  description: With O(schedule), when the run waited for was due (UTC); its job is RV(sync_jobs).
  returned: when schedule is given
  type: str
  sample: "2026-12-07T02:00:00Z"
  version_added: 1.1.0
elapsed:
  description: Seconds the wait took.
  returned: always
  type: float
  sample: 42.5
polls:
  description: Number of polls made.
  returned: always
  type: int
  sample: 9
timed_out:
  description: Whether O(timeout) passed with jobs still in progress (the task then fails).
  returned: always
  type: bool
  sample: false
last_error:
  description: The last transient error met while waiting (the wait went on), for example a 503 while CM restarted.
  returned: when a transient error happened
  type: str
  sample: "CipherTrust Manager answered GET https://cm.example.com/api/v1/cckm/aws/synchronization-jobs with HTTP 503"
"""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.wait import run_wait_module


def main():
    run_wait_module()


if __name__ == "__main__":
    main()
