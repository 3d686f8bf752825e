"""Write the <cloud>_sync_job_info modules from the table of clouds (run by tools/derive.py).

A module file is made, not written: its options (scope choices, the filter option) come from
``_clouds.CLOUDS``; only the words a reader needs about each cloud (what a target is, sample values)
live here, in ``WORDS``. tests/unit/.../test_clouds.py fails when a file differs from what this makes.
"""

from __future__ import annotations

import json
import os
import textwrap
from typing import Dict, NamedTuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import STATES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Words(NamedTuple):
    """What the documentation says about one cloud, beyond the table's facts."""

    title: str
    targets: str  # the filter option's description: "Names or ids of the ... whose jobs to return."
    target_noun: str  # one target, for an example's name: "KMS account"
    sample_target: str  # a value of the filter option
    detail_target: str  # a detailed_status key
    detail_noun: str  # "region": "<noun> synchronized successfully"
    cm_cloud: str  # the job's cloud field as CM records it
    scopes: Dict[str, str]  # scope -> what it lists
    vendor: str = ""  # how prose names the cloud: "Google Cloud", "Oracle OCI" (README, user guide, galaxy.yml)
    short: str = ""  # before a target's noun: "Google" key ring, "OCI" vault
    version_added: str = "0.1.0"  # the release that brings the cloud's info module (galaxy.yml's, for a new cloud)


WORDS: Dict[str, Words] = {
    "aws": Words(
        "AWS KMS",
        "Names or ids of the AWS KMS accounts (as configured in CCKM) whose jobs to return.",
        "KMS account",
        "kms-prod",
        "123456789012/us-east-1",
        "region",
        "aws",
        {"keys": "AWS KMS keys", "custom_key_stores": "AWS custom key stores (CloudHSM and external key stores)"},
        vendor="AWS",
        short="AWS",
    ),
    "azure": Words(
        "Azure Key Vault",
        "Names or ids of the Azure key vaults whose jobs to return.",
        "key vault",
        "keyvault-softkeys::12e533dd-b5c2-4e58-a264-0cd812dc5a34",
        "northcentralus/keyvault-softkeys",
        "key vault",
        "AzureCloud",
        {"keys": "Azure keys", "certificates": "Azure certificates", "secrets": "Azure secrets"},
        vendor="Azure",
        short="Azure",
    ),
    "google": Words(
        "Google Cloud KMS",
        "Resource names of the Google Cloud key rings whose jobs to return.",
        "key ring",
        "projects/my-project/locations/global/keyRings/demo-key-ring",
        "projects/my-project/locations/global/keyRings/demo-key-ring",
        "key ring",
        "gcp",
        {"keys": "Google Cloud KMS keys"},
        vendor="Google Cloud",
        short="Google",
    ),
    "oci": Words(
        "Oracle Cloud Infrastructure (OCI) Vault",
        "Names or ids of the OCI vaults whose jobs to return.",
        "vault",
        "ocid1.vault.oc1.iad.example",
        "ocid1.vault.oc1.iad.example",
        "vault",
        "oci",
        {"keys": "OCI Vault keys"},
        vendor="Oracle OCI",
        short="OCI",
    ),
    "sap": Words(
        "SAP Data Custodian",
        "Names or ids of the SAP Data Custodian groups whose jobs to return.",
        "group",
        "3e732d57-5ea1-491f-b238-9f4a39a9566f",
        "742f9921-2d91-41fc-97fc-e98ad007f081",
        "group",
        "sap",
        {"keys": "SAP Data Custodian keys"},
        vendor="SAP Data Custodian",
        short="SAP",
    ),
    "sfdc": Words(
        "Salesforce",
        "Ids of the Salesforce organization resources on CM whose jobs to return.",
        "organization",
        "00DB000000040bIMAQ",
        "00DB000000040bIMAQ",
        "organization",
        "sfdc",
        {"keys": "Salesforce tenant secrets", "certificates": "Salesforce certificates"},
        vendor="Salesforce",
        short="Salesforce",
    ),
    "luna": Words(
        "Luna HSM",
        "",
        "partition",
        "",
        "luna-partition-1",
        "partition",
        "luna",
        {"keys": "Luna HSM keys", "refresh": "Luna HSM key refreshes"},
        vendor="Luna HSM",
        short="Luna",
    ),
    "dsm": Words(
        "CipherTrust Data Security Manager",
        "",
        "domain",
        "",
        "domain-finance",
        "domain",
        "dsm",
        {"keys": "DSM keys"},
        vendor="Data Security Manager",
        short="DSM",
        version_added="1.1.0",
    ),
    "external_cm": Words(
        "External CipherTrust Manager",
        "",
        "connection",
        "",
        "cm-dr-site",
        "connection",
        "external-cm",
        {"keys": "keys of an external CipherTrust Manager"},
        vendor="external CipherTrust Managers",
        short="external CM",
        version_added="1.1.0",
    ),
}

HEADER = """#!/usr/bin/python
# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# Made by tools/derive.py from the table of clouds: change that, then run make derive.

"""


def _options(cloud: Cloud, words: Words) -> str:
    lines = []
    if cloud.filter_option:
        lines += [
            "  %s:" % cloud.filter_option,
            "    description:",
            "      - %s" % words.targets,
            "      - Sent as repeated query keys; a job matches if it synchronizes any of them.",
            "    type: list",
            "    elements: str",
        ]
    if len(cloud.scopes) > 1:
        lines += ["  scope:", "    description:", "      - Which family of %s synchronization jobs to list." % words.title]
        for name in sorted(cloud.scopes, key=lambda scope: scope != cloud.default_scope):
            default = " (the default)" if name == cloud.default_scope else ""
            lines.append("      - V(%s) - %s%s." % (name, words.scopes[name], default))
        lines += [
            "    type: str",
            "    default: %s" % cloud.default_scope,
            "    choices: [%s]" % ", ".join(sorted(cloud.scopes)),
        ]
    return "\n".join(lines) + "\n" if lines else ""


def _examples(cloud: Cloud, words: Words) -> str:
    module = "ciphertrust.cckm.%s_sync_job_info" % cloud.name
    parts = [
        "- name: List every %s synchronization job (connection from CM_* variables)\n  %s:\n  register: all_jobs\n"
        % (words.title, module),
        "- name: List the jobs still running, with the connection given explicitly\n  %s:\n"
        '    address: cm.example.com\n    username: admin\n    password: "{{ cm_password }}"\n'
        "    ca_cert: /etc/pki/cm-ca.pem\n    overall_status: in_progress\n  register: running\n" % module,
        "- name: Show the newest job\n  ansible.builtin.debug:\n"
        '    msg: "{{ all_jobs.sync_jobs[0].id }} is {{ all_jobs.sync_jobs[0].state }}"\n'
        "  when: all_jobs.sync_jobs | length > 0\n",
    ]
    if cloud.filter_option:
        parts.append(
            "- name: List the jobs of one %s\n  %s:\n    %s:\n      - %s\n  register: scoped\n"
            % (words.target_noun, module, cloud.filter_option, words.sample_target)
        )
    for scope in sorted(cloud.scopes):
        if scope != cloud.default_scope:
            title = scope.replace("_", " ")
            parts.append("- name: List %s synchronization jobs\n  %s:\n    scope: %s\n" % (title, module, scope))
    parts += [
        "- name: List the cancelled and partial jobs (normalized states CM's overall_status cannot tell apart)\n"
        "  %s:\n    state: [cancelled, partial]\n" % module,
        "- name: Count every job per state without returning them\n  %s:\n    summary_only: true\n  register: counts\n" % module,
        "- name: Get one job by id\n  %s:\n    id: 0ea5d52e-387c-44fa-b079-21c8b768f77b\n  register: one_job\n" % module,
    ]
    return "\n".join(parts)


RETURN = """
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
      choices: [%(states)s]
      sample: succeeded
    errors:
      description: One entry per C(detailed_status) target that reports an error.
      type: list
      elements: dict
      sample: [{"target": %(detail_target)s, "message": "Error listing keys: access denied"}]
    overall_status:
      description: Status exactly as CM reports it (C(in_progress), C(in progress), C(completed), C(failed),
        C(error), C(aborted)).
      type: str
      sample: completed
    detailed_status:
      description: Message per synchronized target.
      type: dict
      sample: {%(detail_target)s: "%(detail_noun)s synchronized successfully"}
    abort:
      description: Whether the job was cancelled.
      type: bool
      sample: false
    cloud:
      description: Cloud name as CM records it.
      type: str
      sample: %(cm_cloud)s
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
%(target_field)s"""


RETURN_COUNTS = """total:
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


def render(name: str) -> str:
    """The whole module file of ``name``'s info module."""
    cloud, words = CLOUDS[name], WORDS[name]
    options = _options(cloud, words)
    documentation = (
        "module: %s_sync_job_info\n"
        "short_description: List %s synchronization jobs of CipherTrust Manager CCKM\n"
        "version_added: %s\n"
        "description:\n"
        "  - Lists the jobs in which CipherTrust Manager's Cloud Key Manager (CCKM) synchronizes its view\n"
        "    of %s keys, newest first, with a normalized C(state) for each.\n"
        "  - All matching jobs are returned, fetched page by page, unless O(limit) is set.\n"
        "  - To wait until jobs finish, use M(ciphertrust.cckm.sync_job_wait) or the role C(ciphertrust.cckm.wait_for_sync).\n"
        "author:\n"
        "  - ciphertrust.cckm contributors (@ciphertrust-cckm)\n"
        "%s"
        "extends_documentation_fragment:\n"
        "  - ciphertrust.cckm.cckm\n"
        "  - ciphertrust.cckm.cckm.info\n"
        "  - ciphertrust.cckm.cckm.attributes\n"
        "  - ciphertrust.cckm.cckm.action_group\n"
        "seealso:\n"
        "  - module: ciphertrust.cckm.sync_job_wait\n"
    ) % (name, words.title, words.version_added, words.title, "options:\n" + options if options else "options: {}\n")
    if cloud.unconfirmed:
        note = (
            "Unconfirmed by the vendor's API pages, and handled whichever way CM answers - %s. No target filter is sent "
            "to CM for this cloud; sync_job and the waits match jobs to targets on the jobs' own fields." % cloud.unconfirmed
        )
        documentation += "notes:\n" + "\n".join(textwrap.wrap(note, 110, initial_indent="  - ", subsequent_indent="    ")) + "\n"
    target_field = ""
    if cloud.filter_option:
        target_field = (
            "    %s:\n      description: The %s values the job synchronizes.\n      type: list\n      elements: str\n"
            "      returned: when the job has them\n      sample: [%s]\n"
        ) % (cloud.filter_option, cloud.filter_option.replace("_", " "), json.dumps(words.sample_target))
    returns = RETURN % {
        "detail_target": json.dumps(words.detail_target),
        "detail_noun": words.detail_noun,
        "cm_cloud": words.cm_cloud,
        "target_field": target_field,
        "states": ", ".join(STATES),
    }
    returns += RETURN_COUNTS
    return (
        HEADER
        + 'DOCUMENTATION = r"""\n'
        + documentation
        + '"""\n\nEXAMPLES = r"""\n'
        + _examples(cloud, words)
        + '"""\n\nRETURN = r"""'
        + returns
        + '"""\n\n'
        + "from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.info import run_info_module\n\n\n"
        + 'def main():\n    run_info_module(%s)\n\n\nif __name__ == "__main__":\n    main()\n' % json.dumps(name)
    )


def path_of(name: str) -> str:
    return os.path.join(ROOT, "plugins", "modules", "%s_sync_job_info.py" % name)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def differing() -> list:
    """Module files that are missing or differ from what ``render`` makes, and leftovers of removed clouds."""
    out = []
    for name in sorted(CLOUDS):
        path = path_of(name)
        if not os.path.exists(path) or _read(path) != render(name):
            out.append(path)
    return out


def write() -> list:
    """Rewrite every differing module file; returns the paths written."""
    written = differing()
    for path in written:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render(os.path.basename(path)[: -len("_sync_job_info.py")]))
    return written
