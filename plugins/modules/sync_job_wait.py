#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: sync_job_wait
short_description: Wait until CipherTrust Manager CCKM synchronization jobs finish
version_added: 0.1.0
description:
  - Waits until none of the watched CCKM synchronization jobs of one cloud is in progress, then
    reports how each ended. One task replaces a C(uri) + C(until) polling loop.
  - Watch jobs by O(id), or every job that matches the cloud's scope filter (for example O(kms) for AWS).
    With neither, every job of the cloud and scope is watched. If nothing is in progress, the task
    returns at once with the newest matching job.
  - It logs in once, renews its token as it expires, and rides out CM restarts and transient
    server errors (5xx, 429, dropped connections) until O(timeout).
  - Polling by filter costs one listing request per poll however many jobs match; polling by id
    costs at most one request per still-running job per poll.
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
      - Mutually exclusive with the scope filters.
    type: list
    elements: str
  timeout:
    default: 1800
  poll_interval:
    default: 2
  max_poll_interval:
    default: 30
  fail_on:
    default: [failed, cancelled]
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
- name: Wait for the AWS synchronization jobs of two KMS accounts (connection from CM_* variables)
  ciphertrust.cckm.sync_job_wait:
    cloud: aws
    kms: [kms-prod, kms-dr]
    timeout: 3600
  register: sync

- name: Wait for jobs started elsewhere, by id, tolerating partial results
  ciphertrust.cckm.sync_job_wait:
    cloud: sfdc
    scope: certificates
    id: "{{ started_jobs | map(attribute='id') | list }}"
    fail_on: [failed]

- name: Poll every 5 seconds exactly, for at most 10 minutes
  ciphertrust.cckm.sync_job_wait:
    cloud: azure
    key_vaults: [keyvault-softkeys]
    poll_interval: 5
    max_poll_interval: 5
    timeout: 600

- name: Report what happened
  ansible.builtin.debug:
    msg: "{{ sync.summary }} after {{ sync.elapsed }} s and {{ sync.polls }} polls"
"""

RETURN = r"""
sync_jobs:
  description:
    - Final state of every watched job, newest first, with the raw CM fields plus C(state) and C(errors)
      (see the info modules). When watching by filter and nothing was in progress, the newest matching job.
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
summary:
  description: Number of watched jobs per normalized state; every state is present.
  returned: always
  type: dict
  sample: {"in_progress": 0, "succeeded": 2, "partial": 0, "failed": 0, "cancelled": 0, "unknown": 0}
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

from ansible_collections.ciphertrust.cckm.plugins.module_utils._wait_module import run_wait_module


def main():
    run_wait_module()


if __name__ == "__main__":
    main()
