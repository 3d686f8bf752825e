#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sync_status
short_description: Is every cloud key in sync? A verdict per CCKM target of every cloud and scope
version_added: 1.0.0
description:
  # BEGIN derived: status-description (tools/derive.py writes the lines below from CLOUDS; do not edit them)
  - Answers for the whole fleet the question an operator, an auditor or a nightly workflow asks of
    CipherTrust Manager's Cloud Key Manager (CCKM) - is every AWS KMS account, Azure key vault, Google key
    ring, OCI vault, SAP group, Salesforce organization, Luna partition, DSM domain and external CM
    connection synchronized recently, and if not, which and why.
  # END derived: status-description
  - The targets come from CM's own listings (every page; archived AWS KMS accounts are skipped). A job covers
    a target when it lists it (by name, by id, by the cloud's own id, or as C(<name>::<subscription>) for
    Azure) or when it synchronizes everything (no target list).
  - "Nothing found is never in sync: a listing that answers with no live target while the scope's jobs name
    targets (a user whose role sees none of them, a listing CM filters by permission) makes that scope take its
    targets from the jobs (C(targets_from: seen)), with a warning. When no target is found at all, RV(in_sync)
    is false, a warning says what was read, and O(fail_when) with any value fails the task. A scope with neither
    a target nor a job is reported with C(in_use: false)."
  - "Each target gets a verdict, decided in this order: V(failing) (the newest finished covering job failed,
    was cancelled, or completed with an error for this target in C(detailed_status); a retry that runs does
    not change that until it succeeds), V(ok) (the last success is within O(max_age)), V(running) (no
    success within O(max_age), but a covering job runs), V(stale) (the last success is older than
    O(max_age)), V(never) (no covering success in the history read)."
  - The scopes are read concurrently. Each scope's jobs are read newest first only until every target has a
    covering success or the jobs are older than O(max_age); the targets still undecided are then looked up
    by the target filter, up to 50 in one listing (Luna HSM, which has no target filter, one listing of the
    scope's completed jobs). So the whole fleet costs about what its largest scope costs, however long CM's
    history is (a few requests a scope, and one more for each 50 undecided targets).
  - With O(fail_when), the task fails after returning everything, naming each offending target, its verdict
    and its last job (the first ten, then how many more).
  - Reads only; never changes anything. The role C(ciphertrust.cckm.sync_report) turns the result into an
    HTML page and a Markdown summary.
author:
  - ciphertrust.cckm contributors (@ciphertrust-cckm)
options:
  clouds:
    description: The clouds to check; every cloud when not given.
  scopes:
    description:
      - The scopes to check (V(keys), V(custom_key_stores), V(certificates), V(secrets)); every scope of
        the O(clouds) when not given. A scope a cloud does not have is skipped for that cloud.
    type: list
    elements: str
  max_age:
    description:
      - How recent a target's last successful synchronization must be for V(ok), as a number with a unit,
        V(s), V(m), V(h) or V(d) (V(24h), V(90m), V(7d), V(1d12h)), or a number of seconds; more than 0.
    type: raw
    default: 24h
  targets:
    description:
      - Where the targets come from. V(discovered) reads CM's target listings, so a target never synchronized
        shows as V(never). V(seen) takes only the targets the jobs name, for a user whose role may not read
        the listings.
      - With V(discovered), a listing CM answers with HTTP 403 falls back to V(seen) for that scope, with a
        warning naming the permission.
    type: str
    default: discovered
    choices: [discovered, seen]
  fail_when:
    description:
      - Verdicts that fail the task (after it has returned everything it found). Empty reports only.
      - V(running) and V(ok) never fail it; C(in_sync) is true when every target is one of them.
    type: list
    elements: str
    default: []
    # BEGIN derived: fail-when-choices (tools/derive.py writes the lines below from the states' constants; do not edit them)
    choices: [stale, failing, never]
    # END derived: fail-when-choices
extends_documentation_fragment:
  - ciphertrust.cckm.cckm
  - ciphertrust.cckm.cckm.clouds
  - ciphertrust.cckm.cckm.attributes
  - ciphertrust.cckm.cckm.action_group
notes:
  - A scope whose target listing is not known (the refresh families CM's operations list adds) takes its targets
    from its jobs (C(targets_from=seen)).
  - Unconfirmed by the vendor's API pages, and handled both ways - whether CM's target filter on the jobs
    listing also returns jobs that synchronize everything (when it does not, such a job older than
    O(max_age) can only be seen on the newest pages read, and a target it alone covered reads V(never)
    rather than V(stale)); which AWS KMS account a custom key store's jobs name.
seealso:
  - module: ciphertrust.cckm.aws_sync_job_info
  - module: ciphertrust.cckm.sync_job
"""

EXAMPLES = r"""
- name: Is every cloud key in sync? (connection from CM_* variables)
  ciphertrust.cckm.sync_status:
  register: fleet

- name: Say what is not
  ansible.builtin.debug:
    msg: "{{ item.cloud }} {{ item.scope }} {{ item.target }}: {{ item.verdict }}"
  loop: "{{ fleet.targets | rejectattr('verdict', 'in', ['ok', 'running']) | list }}"
  loop_control:
    label: "{{ item.target }}"

- name: Gate a nightly workflow - fail naming every AWS and Azure target not synchronized within 12 hours
  ciphertrust.cckm.sync_status:
    clouds: [aws, azure]
    max_age: 12h
    fail_when: [stale, failing, never]

- name: A user who may not read the target listings - only what the jobs name
  ciphertrust.cckm.sync_status:
    targets: seen
    scopes: [keys]
    max_age: 7d
  register: seen

- name: Start a synchronization of every failing or stale KMS account
  ciphertrust.cckm.sync_job:
    cloud: aws
    kms: "{{ fleet.targets | selectattr('cloud', 'eq', 'aws') | selectattr('scope', 'eq', 'keys')
             | selectattr('verdict', 'in', ['failing', 'stale', 'never']) | map(attribute='target') | list }}"
  when: fleet.targets | selectattr('cloud', 'eq', 'aws') | selectattr('verdict', 'in', ['failing', 'stale', 'never']) | list
"""

RETURN = r"""
targets:
  description: One entry per cloud, scope and target, by cloud, scope and target name.
  returned: always
  type: list
  elements: dict
  contains:
    cloud:
      description: The collection's cloud name.
      type: str
      sample: aws
    scope:
      description: The scope.
      type: str
      sample: keys
    target:
      description: The target's name (as CM lists it, or as a job names it with O(targets=seen)).
      type: str
      sample: kms-prod
    target_id:
      description: The target's id on CM; null for a target only a job names.
      type: str
      sample: 7f7e2c55-3d67-4e44-9a8b-1e6f6d2b5a10
    verdict:
      description: V(ok), V(running), V(failing), V(stale) or V(never) (see the description).
      type: str
      sample: ok
    last_success_at:
      description: When the newest covering job that succeeded for this target ended (UTC); null if none was read.
      type: str
      sample: "2026-12-01T02:00:41Z"
    age:
      description: Seconds since RV(targets[].last_success_at); null without one.
      type: int
      sample: 3600
    last_job:
      description:
        - The newest finished covering job, with C(id), C(state), C(outcome) (its state for this target,
          V(failed) for a partial job with an error for it), C(overall_status), C(createdAt),
          C(completed_at), and C(errors), the C(detailed_status) errors that name this target. Null if none.
      type: dict
      sample: {"id": "0ea5d52e-387c-44fa-b079-21c8b768f77b", "state": "partial", "outcome": "failed",
               "errors": [{"target": "123456789012/us-east-1", "message": "Error listing keys: access denied"}]}
    running_job:
      description: A covering job in progress now (C(id), C(createdAt), C(state)); null if none.
      type: dict
      sample: {"id": "1c6b5d6e-2f0e-4b0e-9d55-3a1f4c2e9b77", "createdAt": "2026-12-01T09:58:00Z", "state": "in_progress"}
counts:
  description: How many targets have each verdict; every verdict is a key.
  returned: always
  type: dict
  sample: {"ok": 40, "running": 2, "failing": 1, "stale": 3, "never": 1}
scopes:
  description:
    - One entry per cloud and scope read, with C(cloud), C(scope), C(in_use) (false when the scope has
      neither a target nor a job), C(counts), C(targets_from) (V(discovered) or V(seen)), C(jobs_in_window)
      (jobs read that are younger than O(max_age)) and C(jobs), the newest 200 of them, for a timeline - C(id),
      C(state), C(createdAt), C(completed_at), C(targets) (as the job lists them), C(everything) (it
      synchronizes every target), C(covers) (the names of the targets it lists) and C(errors_for) (the targets
      its errors name - a partial job failed for these and succeeded for the others).
  returned: always
  type: list
  elements: dict
  sample:
    - cloud: aws
      scope: keys
      targets_from: discovered
      counts: {"ok": 2, "running": 0, "failing": 0, "stale": 0, "never": 0}
      in_use: true
      jobs_in_window: 1
      jobs: [{"id": "0ea5d52e-387c-44fa-b079-21c8b768f77b", "state": "succeeded", "createdAt": "2026-12-01T02:00:00Z",
              "completed_at": "2026-12-01T02:00:41Z", "targets": [], "everything": true, "covers": [], "errors_for": []}]
in_sync:
  description: Whether every target is V(ok) or V(running); false when no target was found (nothing was checked).
  returned: always
  type: bool
  sample: false
max_age:
  description: O(max_age) in seconds.
  returned: success
  type: int
  sample: 86400
checked_at:
  description: When the fleet was read (UTC); ages count from it.
  returned: success
  type: str
  sample: "2026-12-01T10:00:00Z"
"""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.status import run_status_module


def main():
    run_status_module()


if __name__ == "__main__":
    main()
