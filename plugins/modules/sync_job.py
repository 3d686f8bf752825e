#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: sync_job
short_description: Start or cancel CipherTrust Manager CCKM synchronization jobs, idempotently
version_added: 1.0.0
description:
  - Starts a synchronization of a cloud's keys (or certificates, secrets, custom key stores) on
    CipherTrust Manager's Cloud Key Manager, or cancels running ones, for every cloud CCKM serves.
  - "Idempotent: with O(reuse_running=true) (the default), a job already in progress in the same scope
    that covers the requested targets (or synchronizes everything) is returned with C(changed=false)
    and C(reused=true), and nothing is started. Listing the running jobs first costs one listing
    (one request per spelling of in progress on a CM whose status filter matches one spelling only)."
  - A start is never sent twice blindly. After a lost answer, a timeout or a server error, the module
    lists the running jobs first and adopts a new one that covers the request (CM started it) before
    any retry, so one task never starts two jobs. When CM refuses a start because a synchronization
    runs (its status code and message are not documented), the module lists again and reuses a
    covering job, or fails naming the running job and how to wait for it.
  - With O(wait=true) it then waits as M(ciphertrust.cckm.sync_job_wait) does, with the same options, messages
    and return values. A start of named targets waits per target - each is judged by its newest covering job,
    which is the started or reused job unless a newer one covering it starts meanwhile - and returns RV(targets);
    a start of everything, and a cancel, wait for those jobs by id.
author:
  - ciphertrust.cckm contributors (@ciphertrust-cckm)
options:
  cloud:
    description: Cloud to synchronize.
    type: str
    required: true
  state:
    description:
      - V(started) starts a synchronization of the targets (or reuses a running one that covers them).
      - V(cancelled) cancels the jobs given by O(id), or the running jobs of the targets (every running
        job of the scope with O(synchronize_all=true)). C(changed) only when a running job was
        cancelled; a finished job is left as it is and reported with its state.
    type: str
    default: started
    choices: [started, cancelled]
  regions:
    description: For O(cloud=aws), the regions to synchronize (none means every region).
    type: list
    elements: str
  synchronize_all:
    description:
      - Synchronize every target of the cloud and scope instead of given ones. Mutually exclusive with
        the targets; one of the two is required to start.
      - With O(state=cancelled), cancel every running job of the scope.
    type: bool
    default: false
  take_cloud_key_backup:
    description: For O(cloud=azure) keys, ask CM to back up the cloud keys while synchronizing.
    type: bool
  id:
    description:
      - With O(state=cancelled), the ids of the jobs to cancel. An id that does not exist fails the task
        before anything is cancelled.
    type: list
    elements: str
  reuse_running:
    description:
      - Return a running job that covers the request instead of starting another. With V(false) a start
        is always attempted, and a refusal names the running job.
    type: bool
    default: true
  wait:
    description:
      - Wait until the started, reused or cancelled jobs have stopped, as M(ciphertrust.cckm.sync_job_wait)
        does (per target, when targets are named). With O(state=cancelled), a job ending cancelled never fails
        the task.
      - "Without it, the task's time is bounded by the start's own attempts: a POST is sent at most 3 times,
        each only after the running jobs were listed and showed no job was started (listed at once and again
        1 and 3 s later, since another node of a cluster may learn of a job late), and a POST that timed out is
        followed by a pause of 2 x O(request_timeout) (at most 60 s) before those looks. A CM that never answers
        a start holds the task for about 3 x (O(request_timeout) + min(2 x O(request_timeout), 60) + 3) seconds,
        279 s with the default O(request_timeout) of 30. With O(wait=true), O(timeout) bounds it instead."
      - The wait options O(timeout), O(poll_interval), O(max_poll_interval), O(fail_on), O(progress_interval)
        and O(progress_file) act only with O(wait=true) (the task warns when one is given without it), with
        M(ciphertrust.cckm.sync_job_wait)'s defaults, V(1800), V(2) and V(30) for the first three.
      # BEGIN derived: sync-job-fail-on-default (tools/derive.py writes the lines below from the states' constants; do not edit them)
      - O(fail_on) defaults to V([failed, cancelled]).
      # END derived: sync-job-fail-on-default
    type: bool
    default: false
  timeout:
    description:
      - With O(wait=true), seconds to wait before failing with the last state of every job.
      - V(0) checks once and fails if a job is still in progress.
      - The timeout ends the wait, not the job; it keeps running on CM. The message says whether this task
        started the job or reused a running one that covered the targets, and how to cancel it (O(state=cancelled)
        with its O(id)) or wait for it again (M(ciphertrust.cckm.sync_job_wait)). After O(state=cancelled), it
        says CM is still stopping the jobs.
      - "One timeout for the whole task: the start (its retries after a lost answer included) and the wait
        end within about O(timeout) + O(request_timeout) seconds, however slowly CM answers."
extends_documentation_fragment:
  - ciphertrust.cckm.cckm
  - ciphertrust.cckm.cckm.cloud
  - ciphertrust.cckm.cckm.scope
  - ciphertrust.cckm.cckm.targets
  - ciphertrust.cckm.cckm.wait
  - ciphertrust.cckm.cckm.action_group
attributes:
  check_mode:
    support: full
    description: Sends no start or cancel; reports what would happen (C(changed), C(reused)).
  diff_mode:
    support: none
    description: Jobs have nothing to diff.
seealso:
  - module: ciphertrust.cckm.sync_job_wait
  - module: ciphertrust.cckm.aws_sync_job_info
"""

EXAMPLES = r"""
- name: Synchronize two AWS KMS accounts (or reuse a running sync of them) and wait for it
  ciphertrust.cckm.sync_job:
    cloud: aws
    kms: [kms-prod, kms-dr]
    regions: [us-east-1]
    wait: true
    timeout: 3600
  register: sync

- name: Synchronize every Azure key vault, backing up the cloud keys
  ciphertrust.cckm.sync_job:
    cloud: azure
    synchronize_all: true
    take_cloud_key_backup: true

- name: Synchronize Salesforce certificates of one organization
  ciphertrust.cckm.sync_job:
    cloud: sfdc
    scope: certificates
    organizations: [00DB000000040bIMAQ]

- name: Cancel a job and wait until it has stopped
  ciphertrust.cckm.sync_job:
    cloud: aws
    state: cancelled
    id: ["{{ sync.sync_jobs[0].id }}"]
    wait: true

- name: Cancel every running Google Cloud synchronization
  ciphertrust.cckm.sync_job:
    cloud: google
    state: cancelled
    synchronize_all: true
"""

RETURN = r"""
sync_jobs:
  description:
    - The started, reused or cancelled jobs, with the raw CM fields plus C(state) and C(errors) (see the
      info modules); after O(wait=true), their final state (with targets named, the jobs that decided for them).
    - Empty in check mode when a job would be started.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0ea5d52e-387c-44fa-b079-21c8b768f77b
      overall_status: in_progress
      state: in_progress
      errors: []
      kms: [kms-prod]
      abort: false
      createdAt: "2026-11-05T06:39:45.726289Z"
reused:
  description: Whether a running job that covers the request was returned instead of starting one.
  returned: always
  type: bool
  sample: false
targets:
  description:
    - With O(wait=true) and targets named, one entry per target - C(target), C(state) (what its newest covering
      job did for it), C(job_id), C(finished_at) and C(errors) - as M(ciphertrust.cckm.sync_job_wait) returns it.
  returned: when O(wait=true) and O(state=started) with targets
  type: list
  elements: dict
  version_added: 1.1.0
  sample:
    - {"target": "kms-prod", "state": "succeeded", "job_id": "0ea5d52e-387c-44fa-b079-21c8b768f77b",
       "finished_at": "2026-12-01T02:00:41Z", "errors": []}
summary:
  description: With O(wait=true), the number of jobs per normalized state; every state is present.
  returned: when O(wait=true)
  type: dict
  sample: {"in_progress": 0, "succeeded": 1, "partial": 0, "failed": 0, "cancelled": 0, "unknown": 0}
elapsed:
  description: With O(wait=true), seconds the wait took.
  returned: when O(wait=true)
  type: float
  sample: 42.5
polls:
  description: With O(wait=true), the number of polls made.
  returned: when O(wait=true)
  type: int
  sample: 9
timed_out:
  description: With O(wait=true), whether O(timeout) passed with a job still in progress (the task then fails).
  returned: when O(wait=true)
  type: bool
  sample: false
"""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.sync_job import run_sync_job_module


def main():
    run_sync_job_module()


if __name__ == "__main__":
    main()
