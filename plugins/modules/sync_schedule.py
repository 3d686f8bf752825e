#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r"""
module: sync_schedule
short_description: Manage scheduled CCKM synchronizations on CipherTrust Manager's scheduler
version_added: 1.0.0
description:
  - Declares that a scheduled synchronization of a cloud's keys exists (or does not), as a
    CipherTrust Manager scheduler job config with operation C(cckm_synchronization), and can run it
    once now.
  - "O(name) is the key. With O(state=present) the schedule is declared whole: O(cloud), O(run_at) and
    the targets (or O(synchronize_all=true)) are required; O(description), O(disabled), O(start_date),
    O(end_date) and O(run_on) are left as they are on CM when not given."
  - "Idempotent: the schedule is read first; when it matches, nothing is written (C(changed=false)).
    Otherwise only the fields that differ are PATCHed. A changed target, region or backup setting
    sends the whole parameter block (CM's own values for the rest), which is right whether CM merges
    or replaces it. Cron expressions are compared by meaning (V(0 2 * * SUN) equals V(0 2 * * 0)),
    dates by instant, target lists in any order."
  - CM cannot change a schedule's cloud. A different O(cloud) for an existing name fails, naming both
    clouds, unless O(recreate=true), which deletes the schedule and creates it anew.
  - A write is never repeated blindly. After a lost answer, a timeout or a server error the module reads
    CM first (the schedule by name or id, the newest jobs after a run-now) and sends again only when the
    change has not happened, three times at most.
  - A scheduled synchronization runs in the cloud's default scope (keys).
author:
  - ciphertrust.cckm contributors (@ciphertrust-cckm)
options:
  name:
    description: Name of the schedule (the scheduler job config) on CM; it identifies the schedule.
    type: str
    required: true
  state:
    description: V(present) creates or updates the schedule, V(absent) deletes it (nothing happens if there is none).
    type: str
    default: present
    choices: [present, absent]
  regions:
    description:
      - For O(cloud=aws), the regions to synchronize (none means every region; not given leaves them as they are).
      - Sent only when given. The vendor's own clients never send it, so a CM may not keep it; when CM's answer
        holds no C(regions), the task warns once, and a later run does not PATCH for it alone.
    type: list
    elements: str
  synchronize_all:
    description: Synchronize every target of the cloud instead of given ones. Mutually exclusive with the targets.
    type: bool
  take_cloud_key_backup:
    description: For O(cloud=azure), back up the cloud keys while synchronizing (not given leaves it as it is).
    type: bool
  run_at:
    description:
      - "When the schedule runs, a 5-field cron expression in UTC: minute, hour, day of month, month, day of
        week, for example V(0 2 * * *) (every day at 02:00) or V(30 22 * * mon-fri). Names of months and
        days, ranges, lists and steps are accepted, and V(?) in day of month or day of week means any day
        (as CM's UI writes it, V(0 2 ? * MON)). Shortcuts such as V(@daily) and six-field expressions are
        refused with the five-field form to write instead. Required with O(state=present); checked before
        any request, with a message that names the bad field."
      - "A day of month that none of the months named has is refused before any request, naming the months
        (V(0 2 31 2 *): February has no 31st day; V(0 0 31 4,6,9,11 *)). As in every cron, a day matches either
        day field when both are restricted, so V(0 0 31 2 1) runs on the Mondays of February and is accepted;
        V(0 0 29 2 *) runs in leap years."
      - A schedule that has no next run for another reason (an O(end_date) in the past) is written as asked, with
        a warning that says why its C(next_run_at) is null.
    type: str
  description:
    description: Description of the schedule on CM.
    type: str
  disabled:
    description: Whether the schedule is disabled (it then does not run, and C(next_run_at) is null).
    type: bool
  start_date:
    description:
      - RFC 3339 time before which the schedule does not run, for example V(2026-12-24T22:00:00Z). Sent in UTC.
      - An empty value (V("")) clears it; CM is sent its own "not set" value, Go's zero time V(0001-01-01T00:00:00Z).
    type: str
  end_date:
    description:
      - RFC 3339 time after which the schedule does not run any more. Must be after O(start_date).
      - An empty value (V("")) clears it, as for O(start_date).
    type: str
  run_on:
    description: Node of a CM cluster that runs the schedule, V(any) or a node id.
    type: str
  run_now:
    description:
      - Run the schedule once now, after creating or updating it (C(changed=true)); the synchronization job it
        started is returned as RV(sync_job), ready for M(ciphertrust.cckm.sync_job_wait).
      - When a synchronization that covers the schedule's targets already runs, no run-now is sent and that job
        is returned (RV(reused=true), C(changed) only if the schedule itself changed), as M(ciphertrust.cckm.sync_job)
        reuses a running job. When CM refuses because such a job started meanwhile, that job is returned with a
        warning; when another job of the cloud runs, the task fails naming it.
    type: bool
    default: false
  recreate:
    description:
      - With a different O(cloud) than the existing schedule's, delete the schedule and create it anew.
      - O(description), O(disabled), O(start_date), O(end_date) and O(run_on) that the task does not give are
        carried over from the deleted schedule (a paused schedule stays paused).
    type: bool
    default: false
extends_documentation_fragment:
  - ciphertrust.cckm.cckm
  - ciphertrust.cckm.cckm.scheduler_cloud
  - ciphertrust.cckm.cckm.targets
  - ciphertrust.cckm.cckm.action_group
attributes:
  check_mode:
    support: full
    description: Reads the schedule and reports what would change; writes nothing and runs nothing.
  diff_mode:
    support: full
    description: Shows the schedule's managed fields before and after, under the module's option names.
seealso:
  - module: ciphertrust.cckm.sync_schedule_info
  - module: ciphertrust.cckm.sync_job_wait
"""

EXAMPLES = r"""
- name: A nightly synchronization of two Azure key vaults exists
  ciphertrust.cckm.sync_schedule:
    name: nightly-azure-vaults
    cloud: azure
    key_vaults: [vault-prod, vault-dr]
    run_at: "0 2 * * *"
    description: Nightly sync of the production vaults

- name: Every AWS KMS account and region, on weekdays at 22:30 UTC, from New Year on
  ciphertrust.cckm.sync_schedule:
    name: weekday-aws
    cloud: aws
    synchronize_all: true
    run_at: "30 22 * * mon-fri"
    start_date: "2027-01-01T00:00:00Z"

- name: Pause a schedule
  ciphertrust.cckm.sync_schedule:
    name: weekday-aws
    cloud: aws
    synchronize_all: true
    run_at: "30 22 * * mon-fri"
    disabled: true

- name: Run a schedule now and wait for the synchronization it started
  ciphertrust.cckm.sync_schedule:
    name: nightly-azure-vaults
    cloud: azure
    key_vaults: [vault-prod, vault-dr]
    run_at: "0 2 * * *"
    run_now: true
  register: scheduled

- name: Wait for it
  ciphertrust.cckm.sync_job_wait:
    cloud: azure
    id: ["{{ scheduled.sync_job.id }}"]
  when: scheduled.sync_job is not none

- name: No such schedule any more
  ciphertrust.cckm.sync_schedule:
    name: weekday-aws
    state: absent
"""

RETURN = r"""
schedule:
  description:
    - The schedule as it is on CM after the task, with CM's raw fields plus C(cloud) (the collection's cloud
      name, e.g. C(azure) for C(AzureCloud)), the targets under the module's option name (C(vaults) for
      C(oci_vaults)), C(regions) (aws), C(take_cloud_key_backup) (azure), C(synchronize_all), and
      C(next_run_at) (UTC, ISO 8601; null when disabled, or when the next run would be past O(end_date)).
    - Null after O(state=absent). In check mode, the schedule as it would be (C(id) null when it would be created).
  returned: always
  type: dict
  sample:
    id: 5b4f1a6e-9b8d-4a8e-9a57-2f1d0c6b7e21
    name: nightly-azure-vaults
    operation: cckm_synchronization
    run_at: "0 2 * * *"
    disabled: false
    job_config_params: {cloud_name: AzureCloud, key_vaults: [vault-prod, vault-dr], synchronize_all: false}
    cloud: azure
    key_vaults: [vault-prod, vault-dr]
    synchronize_all: false
    next_run_at: "2026-12-02T02:00:00Z"
sync_job:
  description:
    - With O(run_now=true), the synchronization job the run started (normalized as the info modules return
      jobs, with C(state) and C(errors)), or the running job that already covers its targets (RV(reused=true));
      null in check mode, or when no new job appeared (a warning says so).
  returned: when O(run_now=true)
  type: dict
  sample:
    id: 0ea5d52e-387c-44fa-b079-21c8b768f77b
    overall_status: in_progress
    state: in_progress
    key_vaults: [vault-prod, vault-dr]
reused:
  description: With O(run_now=true), whether RV(sync_job) is a job that was already running (no run-now was sent).
  returned: when O(run_now=true)
  type: bool
  sample: false
"""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.schedule import run_schedule_module


def main():
    run_schedule_module()


if __name__ == "__main__":
    main()
