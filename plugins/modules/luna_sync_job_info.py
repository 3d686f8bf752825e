#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Made by tools/derive.py from the table of clouds: change that, then run make derive.

DOCUMENTATION = r"""
module: luna_sync_job_info
short_description: List Luna HSM synchronization jobs of CipherTrust Manager CCKM
version_added: 0.1.0
description:
  - Lists the jobs in which CipherTrust Manager's Cloud Key Manager (CCKM) synchronizes its view
    of Luna HSM keys, newest first, with a normalized C(state) for each.
  - All matching jobs are returned, fetched page by page, unless O(limit) is set.
  - To wait until jobs finish, use M(ciphertrust.cckm.sync_job_wait) or the role C(ciphertrust.cckm.wait_for_sync).
author:
  - ciphertrust.cckm contributors (@ciphertrust-cckm)
options:
  scope:
    description:
      - Which family of Luna HSM synchronization jobs to list.
      - V(keys) - Luna HSM keys (the default).
      - V(refresh) - Luna HSM key refreshes.
    type: str
    default: keys
    choices: [keys, refresh]
extends_documentation_fragment:
  - ciphertrust.cckm.cckm
  - ciphertrust.cckm.cckm.info
  - ciphertrust.cckm.cckm.attributes
  - ciphertrust.cckm.cckm.action_group
seealso:
  - module: ciphertrust.cckm.sync_job_wait
notes:
  - Unconfirmed by the vendor's API pages, and handled whichever way CM answers - the start body's target
    field (partitions) and the target listing. No target filter is sent to CM for this cloud; sync_job and the
    waits match jobs to targets on the jobs' own fields.
"""

EXAMPLES = r"""
- name: List every Luna HSM synchronization job (connection from CM_* variables)
  ciphertrust.cckm.luna_sync_job_info:
  register: all_jobs

- name: List the jobs still running, with the connection given explicitly
  ciphertrust.cckm.luna_sync_job_info:
    address: cm.example.com
    username: admin
    password: "{{ cm_password }}"
    ca_cert: /etc/pki/cm-ca.pem
    overall_status: in_progress
  register: running

- name: Show the newest job
  ansible.builtin.debug:
    msg: "{{ all_jobs.sync_jobs[0].id }} is {{ all_jobs.sync_jobs[0].state }}"
  when: all_jobs.sync_jobs | length > 0

- name: List refresh synchronization jobs
  ciphertrust.cckm.luna_sync_job_info:
    scope: refresh

- name: List the cancelled and partial jobs (normalized states CM's overall_status cannot tell apart)
  ciphertrust.cckm.luna_sync_job_info:
    state: [cancelled, partial]

- name: Count every job per state without returning them
  ciphertrust.cckm.luna_sync_job_info:
    summary_only: true
  register: counts

- name: Get one job by id
  ciphertrust.cckm.luna_sync_job_info:
    id: 0ea5d52e-387c-44fa-b079-21c8b768f77b
  register: one_job
"""

RETURN = r"""
sync_jobs:
  description:
    - The matching synchronization jobs, newest first, with every field CM returned plus C(state) and C(errors).
    - Empty when nothing matches, including an O(id) that does not exist.
  returned: unless O(summary_only=true)
  type: list
  elements: dict
  contains:
    id:
      description: Id of the job on CM.
      type: str
      sample: 0ea5d52e-387c-44fa-b079-21c8b768f77b
    state:
      description:
        - Normalized state. V(partial) is a completed job with errors in C(detailed_status);
          V(cancelled) is a job ended with C(abort=true) or an C(aborted) status;
          V(unknown) is a status never seen before (a warning names it).
      type: str
      choices: [in_progress, succeeded, partial, failed, cancelled, unknown]
      sample: succeeded
    errors:
      description: One entry per C(detailed_status) target that reports an error.
      type: list
      elements: dict
      sample: [{"target": "luna-partition-1", "message": "Error listing keys: access denied"}]
    overall_status:
      description: Status exactly as CM reports it (C(in_progress), C(in progress), C(completed), C(failed),
        C(error), C(aborted)).
      type: str
      sample: completed
    detailed_status:
      description: Message per synchronized target.
      type: dict
      sample: {"luna-partition-1": "partition synchronized successfully"}
    abort:
      description: Whether the job was cancelled.
      type: bool
      sample: false
    cloud:
      description: Cloud name as CM records it.
      type: str
      sample: luna
    createdAt:
      description: When the job started (UTC).
      type: str
      sample: "2020-11-05T06:38:25.308834Z"
    updatedAt:
      description: Last update (UTC).
      type: str
      sample: "2020-11-05T06:38:29.248338Z"
    completed_at:
      description: When the job ended (UTC).
      type: str
      returned: when finished
      sample: "2020-11-05T06:38:29.248173Z"
total:
  description:
    - Number of matching jobs CM counts (before O(skip) and O(limit)).
    - With O(state), the number of matching jobs in those states.
  returned: success
  type: int
  sample: 2
summary:
  description: Number of returned jobs per C(state); every state is present.
  returned: success
  type: dict
  sample: {"in_progress": 0, "succeeded": 1, "partial": 0, "failed": 0, "cancelled": 1, "unknown": 0}
"""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.info import run_info_module


def main():
    run_info_module("luna")


if __name__ == "__main__":
    main()
