# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Connection and authentication options shared by every module.
    DOCUMENTATION = r"""
options:
  address:
    description:
      - Host name or IP address of CipherTrust Manager, optionally with a port (V(cm.example.com:8443)),
        or an C(https://) URL without a path. The collection adds C(/api) itself.
      - "A cluster: every node, as a list or comma-separated (V(cm1.example.com,cm2.example.com:8443)). Reads go to
        the node in use and move on to the next one when a node cannot be reached, its TLS handshake or answer does
        not come in time, or it answers 502, 503 or 504 (a node that failed recently is tried last); the result's
        warnings name each node skipped, once. A write goes to one node and is never sent again blindly: after a
        lost answer, CM is read first, on whichever node answers. A node that refuses another node's token gets a
        login of its own. A job or schedule just written that another node does not know yet (replication lag) is
        read again for a few seconds. A load balancer in front of the nodes is one address."
      - Plain C(http://) is refused, because credentials would travel in clear text, unless O(allow_http=true).
      - Required, as this option or as the E(CM_ADDRESS) environment variable.
      - If not set, the value of the E(CM_ADDRESS) environment variable is used, or else
        E(CIPHERTRUST_ADDRESS) (the name the vendor's Terraform provider reads).
    type: list
    elements: str
    aliases: [host]
  username:
    description:
      - User to log in as, with O(password).
      - If not set, the value of the E(CM_USERNAME) environment variable is used, or else
        E(CIPHERTRUST_USERNAME) (the name the vendor's Terraform provider reads).
    type: str
  password:
    description:
      - Password of O(username). The module logs in once per run and renews its token with the refresh token
        CM returns, so long waits do not create new sessions on CM.
      - If not set, the value of the E(CM_PASSWORD) environment variable is used, or else
        E(CIPHERTRUST_PASSWORD) (the name the vendor's Terraform provider reads).
    type: str
  domain:
    description:
      - CM domain to log in to. Empty means the root domain.
      - If not set, the value of the E(CM_DOMAIN) environment variable is used, or else
        E(CIPHERTRUST_DOMAIN) (the name the vendor's Terraform provider reads).
    type: str
  auth_domain:
    description:
      - Domain in which the user is defined, when it differs from O(domain).
      - If not set, the value of the E(CM_AUTH_DOMAIN) environment variable is used, or else
        E(CIPHERTRUST_AUTH_DOMAIN) (the name the vendor's Terraform provider reads).
    type: str
  refresh_token:
    description:
      - A CM refresh token, used instead of a password. If CM refuses it (revoked or expired) and
        O(password) is given too, the module logs in with the password; otherwise it fails and says so.
      - If not set, the value of the E(CM_REFRESH_TOKEN) environment variable is used.
    type: str
  token:
    description:
      - A ready CM API token (JWT). It is used as is; when it expires the module renews it only if
        O(refresh_token) or O(username)/O(password) are also given.
      - If not set, the value of the E(CM_TOKEN) environment variable is used.
    type: str
  allow_http:
    description:
      - Accept an C(http://) O(address). Only for a CM reached through a TLS-terminating tunnel or
        a lab, because the password, refresh token and JWTs then cross the network unencrypted;
        the module warns on every run.
      - If not set, the value of the E(CM_ALLOW_HTTP) environment variable is used.
    type: bool
    default: false
    version_added: 1.0.0
  validate_certs:
    description:
      - Verify CM's TLS certificate and host name. Keep it on; for a private CA set O(ca_cert) instead.
      - Setting it to V(false) makes the module warn on every run.
      - If not set, the value of the E(CM_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_cert:
    description:
      - Path of a PEM file with the CA certificate(s) that signed CM's certificate.
      - Takes precedence over E(REQUESTS_CA_BUNDLE) and the system trust store.
      - If not set, the value of the E(CM_CA_CERT) environment variable is used, or else
        E(CIPHERTRUST_CA_CERT) (the name the vendor's Terraform provider reads).
    type: path
  request_timeout:
    description:
      - Seconds to wait for each HTTP request to CM. Failed GETs and logins are retried up to 5 times,
        with pauses growing from 0.5 to 8 seconds (enough to ride out a CM restart), on connection
        errors, timeouts, answers that are not CM's JSON, HTTP 429 (honouring C(Retry-After), up to
        60 seconds), 500, 502, 503 and 504. Other errors fail at once.
      - If not set, the value of the E(CM_REQUEST_TIMEOUT) environment variable is used.
    type: float
    default: 30
requirements:
  - requests (Python library, on the host that runs the module)
notes:
  - Set the connection once for all modules with C(module_defaults) and the group C(group/ciphertrust.cckm.cckm).
  - Each connection option falls back to its E(CM_*) variable (the names the vendor's Terraform provider read in its
    0.x releases), then, for the address, user, password, domains and CA, to the E(CIPHERTRUST_*) name its current
    releases read; E(CM_*) wins when both are set. One shell environment or credential serves both tools.
"""

    # BEGIN derived: doc-fragments (tools/derive.py writes the lines below from CLOUDS; do not edit them)
    # The cloud option: its choices (each module says what the cloud is for).
    CLOUD = r"""
options:
  cloud:
    type: str
    choices: [aws, azure, dsm, external_cm, google, luna, oci, sap, sfdc]
"""

    # The clouds option of sync_status: several clouds at once.
    CLOUDS = r"""
options:
  clouds:
    type: list
    elements: str
    choices: [aws, azure, dsm, external_cm, google, luna, oci, sap, sfdc]
"""

    # The scope option of sync_job and sync_job_wait.
    SCOPE = r"""
options:
  scope:
    description:
      - Family of jobs within the cloud, as in the cloud's info module.
      - V(keys) (the default) for every cloud; also V(custom_key_stores) for V(aws), V(certificates) and V(secrets)
        for V(azure), V(certificates) for V(sfdc), and V(refresh) for V(luna).
    type: str
"""

    # The scope filters of sync_job_wait: one option per cloud that has one.
    FILTERS = r"""
options:
  groups:
    description: For O(cloud=sap), wait for these groups, each judged by its newest covering job.
    type: list
    elements: str
  key_rings:
    description: For O(cloud=google), wait for these key rings, each judged by its newest covering job.
    type: list
    elements: str
  key_vaults:
    description: For O(cloud=azure), wait for these key vaults, each judged by its newest covering job.
    type: list
    elements: str
  kms:
    description: For O(cloud=aws), wait for these KMS accounts, each judged by its newest covering job.
    type: list
    elements: str
  organizations:
    description: For O(cloud=sfdc), wait for these organizations, each judged by its newest covering job.
    type: list
    elements: str
  vaults:
    description: For O(cloud=oci), wait for these vaults, each judged by its newest covering job.
    type: list
    elements: str
"""

    # The cloud option of sync_schedule, with the scheduler's name for each cloud.
    SCHEDULER_CLOUD = r"""
options:
  cloud:
    description:
      - Cloud to synchronize; required with O(state=present).
      - Sent as CM's scheduler cloud name, C(aws) for V(aws), C(AzureCloud) for V(azure), C(gcp) for V(google),
        C(oci) for V(oci), C(sap) for V(sap), C(sfdc) for V(sfdc), C(hsm-luna) for V(luna), C(dsm) for V(dsm). Not
        offered - V(external_cm), whose scheduler name is not known.
    type: str
    choices: [aws, azure, dsm, google, luna, oci, sap, sfdc]
"""
    # END derived: doc-fragments

    # How a wait waits: sync_job_wait, and sync_job with wait=true (each module sets its own defaults).
    WAIT = r"""
options:
  timeout:
    description:
      - Seconds to wait before failing with the last state of every job.
      - V(0) checks once and fails if a job is still in progress (a gate that never waits).
      - No retry of a failed request starts after the timeout either.
      - The timeout ends the wait, not the jobs; they keep running on CM. The message names them and says how to
        cancel them (M(ciphertrust.cckm.sync_job) with C(state=cancelled) and their ids) or wait for them again.
    type: int
  poll_interval:
    description:
      - Seconds between the first polls. Pauses then grow, with a little jitter, up to O(max_poll_interval).
    type: float
  max_poll_interval:
    description:
      - Longest pause between polls, in seconds. Set it equal to O(poll_interval) for a fixed interval.
    type: float
  fail_on:
    description:
      - Final states that fail the task. The failure message names each such job, its state and its errors.
      - V(partial) is a job CM reports as completed but with errors for some targets.
    type: list
    elements: str
    # BEGIN derived: fail-on-choices (tools/derive.py writes the lines below from the states' constants; do not edit them)
    choices: [failed, cancelled, partial]
    # END derived: fail-on-choices
  progress_interval:
    description:
      - Print a progress line (jobs still in progress, elapsed time, polls) in the job output every
        this many seconds while waiting, so a person watching an AWX job sees it alive.
      - "Works when the module runs on the controller (connection C(local), for example C(hosts: localhost)
        or C(delegate_to: localhost)); elsewhere the module warns and waits without progress lines."
      - Not used with C(async).
    type: float
  progress_file:
    description:
      - Path of a file the module rewrites after every poll with a JSON snapshot
        (C(elapsed), C(polls), C(in_progress) ids, C(summary), C(last_error)), for progress
        display while the task runs asynchronously. The collection's action plugin sets it itself when
        O(progress_interval) is given; set it only to read progress from elsewhere.
    type: path
"""

    # What a start or a schedule synchronizes: one option per cloud (sync_job, sync_schedule).
    TARGETS = r"""
options:
  kms:
    description: For O(cloud=aws), the KMS accounts to synchronize (sent as C(kms)).
    type: list
    elements: str
  key_vaults:
    description: For O(cloud=azure), the key vaults to synchronize (sent as C(key_vaults)).
    type: list
    elements: str
  key_rings:
    description: For O(cloud=google), the key rings to synchronize (sent as C(key_rings)).
    type: list
    elements: str
  vaults:
    description:
      - For O(cloud=oci), the vaults to synchronize; a start sends them as C(vaults), a schedule as C(oci_vaults),
        the scheduler's name for them.
    type: list
    elements: str
  groups:
    description: For O(cloud=sap), the groups to synchronize (sent as C(groups)).
    type: list
    elements: str
  organizations:
    description:
      - For O(cloud=sfdc), the organizations to synchronize; a start sends them as C(organization_ids), the
        start body's name for them (C(organizations) is the listing filter's and the scheduler's).
    type: list
    elements: str
  domains:
    description:
      - For O(cloud=dsm), the domains to synchronize (sent as C(domains); the field name is not confirmed by the
        vendor's API pages).
    type: list
    elements: str
  connections:
    description:
      - For O(cloud=external_cm), the external CipherTrust Manager connections to refresh (sent as C(connections);
        the field name is not confirmed by the vendor's API pages).
    type: list
    elements: str
  partitions:
    description:
      - For O(cloud=luna), the partitions to synchronize (sent as C(partitions); the field name is not
        confirmed by the vendor's API pages).
    type: list
    elements: str
"""

    INFO = r"""
options:
  id:
    description:
      - Return only the synchronization job with this id. An id that does not exist gives an empty list.
    type: str
  overall_status:
    description:
      - Return only jobs with this overall status.
      - V(in_progress) matches both spellings CM uses (C(in_progress) and C(in progress));
        V(failed) matches C(failed) and C(error).
    type: str
    choices: [completed, failed, in_progress]
  limit:
    description:
      - Return at most this many jobs (1 or more). When not set, B(all) matching jobs are returned,
        fetched page by page.
    type: int
  skip:
    description:
      - Skip this many of the newest matching jobs first (in CM's order where O(sort) is given).
    type: int
    default: 0
  sort:
    description:
      - Comma-separated job properties to sort by on the server, each optionally prefixed by C(-) for
        descending (for example V(-createdAt) or V(overall_status,-createdAt)). The jobs are then returned
        in CM's order instead of newest first. A malformed value is refused before any request; a
        property CM does not know is CM's error (HTTP 400).
      - CM's API pages document C(sort) for Google and Salesforce; the vendor's own CLI sends it for
        AWS, OCI and Google too, so it is offered for every cloud.
    type: str
  state:
    description:
      - Return only jobs in these normalized states, for example V(cancelled) or V(partial), which
        O(overall_status) cannot tell apart.
      - Applied after normalization, to every job matching the other options (all of them are read
        from CM), so RV(total) counts the jobs in these states and O(skip) and O(limit) apply to them.
    type: list
    elements: str
    # BEGIN derived: state-choices (tools/derive.py writes the lines below from the states' constants; do not edit them)
    choices: [in_progress, succeeded, partial, failed, cancelled, unknown]
    # END derived: state-choices
    version_added: 1.0.0
  summary_only:
    description:
      - Return only RV(total) and RV(summary), without RV(sync_jobs), for counts of a large history
        without carrying thousands of jobs through Ansible.
    type: bool
    default: false
    version_added: 1.0.0
"""

    ATTRIBUTES = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: This module only reads, and runs the same in check mode.
  diff_mode:
    support: none
    description: This module changes nothing, so it has no diff.
"""

    # Every module is in the action group: ciphertrust.cckm.cckm.action_group, written once.
    ACTION_GROUP = r"""
options: {}
attributes:
  action_group:
    support: full
    description: Use C(group/ciphertrust.cckm.cckm) in C(module_defaults) to set the connection options once.
    membership:
      - ciphertrust.cckm.cckm
"""
