#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: sync_schedule_info
short_description: List scheduled CCKM synchronizations, their last runs and their next run time
version_added: 1.0.0
description:
  - Lists CipherTrust Manager's scheduled synchronizations (scheduler job configs with operation
    C(cckm_synchronization)), all pages, optionally one by O(name) or those of one O(cloud).
  - Each comes with its last runs from the scheduler's run history (newest first, state normalized as for
    synchronization jobs) and the next run time computed from its cron expression (UTC).
  - Reads only; never changes anything.
author:
  - ciphertrust.cckm contributors (@ciphertrust-cckm)
options:
  name:
    description: Only the schedule of this name (exact match).
    type: str
  cloud:
    description: Only the schedules of this cloud.
    type: str
  last_runs:
    description: How many of each schedule's newest runs to return, 0 to 5; V(0) does not read the run history.
    type: int
    default: 5
extends_documentation_fragment:
  - ciphertrust.cckm.cckm
  - ciphertrust.cckm.cckm.cloud
  - ciphertrust.cckm.cckm.attributes
  - ciphertrust.cckm.cckm.action_group
seealso:
  - module: ciphertrust.cckm.sync_schedule
"""

EXAMPLES = r"""
- name: Every synchronization schedule, with its last runs and next run time
  ciphertrust.cckm.sync_schedule_info:
  register: schedules

- name: Schedules whose last run failed
  ansible.builtin.debug:
    msg: "{{ item.name }} last ran {{ item.last_runs[0].started_at }}: {{ item.last_runs[0].state }}"
  loop: "{{ schedules.schedules | selectattr('last_runs') | list }}"
  loop_control:
    label: "{{ item.name }}"
  when: item.last_runs[0].state == 'failed'

- name: The Azure schedules only, without their history
  ciphertrust.cckm.sync_schedule_info:
    cloud: azure
    last_runs: 0
"""

RETURN = r"""
schedules:
  description:
    - The schedules, each with CM's raw fields plus C(cloud), the targets under the module option's name,
      C(synchronize_all), C(next_run_at) (UTC, ISO 8601; null when disabled or past its end date), as
      M(ciphertrust.cckm.sync_schedule) returns them.
    - With O(last_runs) above 0, C(last_runs) too, newest first, each with CM's raw fields plus C(state)
      (C(in_progress), C(succeeded), C(failed), C(cancelled) or C(unknown)) and C(started_at) (UTC).
  returned: always
  type: list
  elements: dict
  sample:
    - id: 5b4f1a6e-9b8d-4a8e-9a57-2f1d0c6b7e21
      name: nightly-azure-vaults
      operation: cckm_synchronization
      run_at: "0 2 * * *"
      cloud: azure
      key_vaults: [vault-prod]
      synchronize_all: false
      next_run_at: "2026-12-02T02:00:00Z"
      last_runs:
        - id: 8c1e0f0c-3c4b-4d5e-8f60-1a2b3c4d5e6f
          status: completed
          state: succeeded
          started_at: "2026-12-01T02:00:00Z"
"""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.schedule import run_schedule_info_module


def main():
    run_schedule_info_module()


if __name__ == "__main__":
    main()
