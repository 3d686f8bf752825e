# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ciphertrust.cckm.sync_jobs: an event per CCKM synchronization job that starts or finishes."""

DOCUMENTATION = r"""
---
short_description: Events when CipherTrust Manager CCKM synchronization jobs start and finish
version_added: 1.0.0
description:
  - Polls CipherTrust Manager's Cloud Key Manager and puts one event on the queue per job and
    transition, C(started) and C(finished), for one cloud, several, or all of them.
  - Each poll costs one listing per cloud and scope, read newest first only as far as the running jobs
    and the jobs newer than the last poll, so the load on CM stays flat however long the history is.
  - One login for the source; the token is renewed as it expires. A transient failure (5xx, 429, a
    dropped connection, CM restarting) is logged and retried with backoff; the source goes on. A wrong
    argument, a refused password or a TLS verification failure ends the source with a message naming
    what to fix. No password, refresh token or JWT appears in any event or log line.
  - "Event: C({sync_job: <job with state and errors>, cloud, scope, state, previous_state, meta: {uuid}}),
    C(meta.uuid) stable for the job id and state."
options:
  address:
    description:
      - CipherTrust Manager's host, host:port or https URL; for a cluster every node, as a list or comma-separated
        (a node that cannot answer is passed over for the next, and the log names it once).
      - Default E(CM_ADDRESS), else E(CIPHERTRUST_ADDRESS).
    type: list
    elements: str
  username:
    description: User to log in as. Default E(CM_USERNAME), else E(CIPHERTRUST_USERNAME).
    type: str
  password:
    description: Its password. Default E(CM_PASSWORD), else E(CIPHERTRUST_PASSWORD).
    type: str
  domain:
    description: CM domain. Default E(CM_DOMAIN), else E(CIPHERTRUST_DOMAIN).
    type: str
  auth_domain:
    description: Domain of the user. Default E(CM_AUTH_DOMAIN), else E(CIPHERTRUST_AUTH_DOMAIN).
    type: str
  refresh_token:
    description: A refresh token instead of a password. Default E(CM_REFRESH_TOKEN).
    type: str
  token:
    description: A ready JWT. Default E(CM_TOKEN).
    type: str
  validate_certs:
    description: Verify CM's certificate. Default E(CM_VALIDATE_CERTS), else true.
    type: bool
  ca_cert:
    description: PEM CA bundle for a private CA. Default E(CM_CA_CERT), else E(CIPHERTRUST_CA_CERT).
    type: str
  allow_http:
    description: Accept an http:// address (credentials in clear text). Default E(CM_ALLOW_HTTP), else false.
    type: bool
  request_timeout:
    description: Seconds per HTTP request. Default E(CM_REQUEST_TIMEOUT), else 30.
    type: float
  cloud:
    # BEGIN derived: event-source-cloud (tools/derive.py writes the lines below from CLOUDS; do not edit them)
    description: A cloud (aws, azure, dsm, external_cm, google, luna, oci, sap, sfdc), a list of them, or all.
    # END derived: event-source-cloud
    type: raw
    default: all
  scope:
    description: For one cloud, the scope to watch (its default scope when not set). With several clouds, every scope of each.
    type: str
  # BEGIN derived: event-source-filters (tools/derive.py writes the lines below from CLOUDS; do not edit them)
  groups:
    description: For O(cloud=sap) alone, watch only the jobs of these groups.
    type: list
  key_rings:
    description: For O(cloud=google) alone, watch only the jobs of these key rings.
    type: list
  key_vaults:
    description: For O(cloud=azure) alone, watch only the jobs of these key vaults.
    type: list
  kms:
    description: For O(cloud=aws) alone, watch only the jobs of these KMS accounts.
    type: list
  organizations:
    description: For O(cloud=sfdc) alone, watch only the jobs of these organizations.
    type: list
  vaults:
    description: For O(cloud=oci) alone, watch only the jobs of these vaults.
    type: list
  # END derived: event-source-filters
  interval:
    description: Seconds between polls.
    type: float
    default: 30
  events:
    description:
      - Which transitions to send. V(started) and V(finished) are a job's.
      - V(stale) is a target's (a KMS account, a vault, ...) whose last successful synchronization is older than
        O(max_age), or that never had one; it is sent once (C({target, cloud, scope, state, previous_state, meta})),
        and V(fresh) once when a covering synchronization succeeds again. Targets come from CM's target
        listings, read when a target's deadline passes or a job succeeds while a target is stale, not every poll.
    type: list
    default: [started, finished]
  max_age:
    description: With V(stale) or V(fresh) in O(events), how recent a last success must be (V(24h), V(90m), V(7d)).
    type: str
    default: 24h
  checkpoint:
    description:
      - A file the source rewrites atomically after each poll. After a restart, a job that finished
        while the source was down is sent once, and no event is sent twice.
    type: str
"""

EXAMPLES = r"""
- name: React to CCKM synchronization
  hosts: localhost
  sources:
    - ciphertrust.cckm.sync_jobs:
        cloud: [aws, azure]
        interval: 30
        events: [finished]
        checkpoint: /var/lib/eda/cckm-sync-jobs.json
  rules:
    - name: A synchronization failed
      condition: event.state == "failed"
      action:
        run_playbook:
          name: ciphertrust.cckm.report_failed_sync

- name: Resynchronize what has not synchronized for a day
  hosts: localhost
  sources:
    - ciphertrust.cckm.sync_jobs:
        cloud: aws
        events: [stale, fresh]
        max_age: 24h
        checkpoint: /var/lib/eda/cckm-stale.json
  rules:
    - name: A KMS account is stale
      condition: event.state == "stale"
      action:
        run_playbook:
          name: resync_target.yml
          extra_vars:
            cloud: "{{ event.cloud }}"
            target: "{{ event.target.target }}"
"""

import asyncio
import logging
import os
import sys
from typing import Any, Dict

try:
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import SourceConfig, SyncJobSource
except ImportError:  # ansible-rulebook runs a source by its path: make the collections root importable
    sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 7)))
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import SourceConfig, SyncJobSource

LOGGER = logging.getLogger("ciphertrust.cckm.sync_jobs")


async def main(queue: asyncio.Queue, args: Dict[str, Any]) -> None:
    """Put an event on ``queue`` per job (or target) transition until cancelled; raises on a configuration that cannot work."""
    config = SourceConfig.from_args(args, os.environ)
    source = SyncJobSource(config, logger=LOGGER)
    await source.run(queue)


if __name__ == "__main__":
    # python sync_jobs.py with CM_* set: print events as they come (Ctrl-C stops it).

    class _PrintQueue:
        async def put(self, event: Dict[str, Any]) -> None:
            print(event, flush=True)

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), {"cloud": os.environ.get("CCKM_CLOUD", "all"), "interval": 10}))
