# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of CCKM clouds, scopes, API paths and filters.

Internal to ciphertrust.cckm: not a public API, may change without notice.
Adding a cloud or a scope is one row here (plus its module's documentation).
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


class Scope(NamedTuple):
    """One listable family of synchronization jobs."""

    path: str
    """Path under ``/api`` that lists (GET), starts (POST) and holds jobs (``<path>/<id>``)."""


class Cloud(NamedTuple):
    """A cloud served by CCKM and how its synchronization jobs are reached."""

    name: str
    title: str
    scopes: Dict[str, Scope]
    default_scope: str
    filter_option: Optional[str]
    """Module option (and query key) that filters jobs by what they synchronize, or None."""
    sortable: bool
    """Whether the API documents the ``sort`` query key."""

    def scope(self, name: Optional[str]) -> Scope:
        return self.scopes[name or self.default_scope]

    def job_path(self, scope: Optional[str], job_id: str) -> str:
        return "%s/%s" % (self.scope(scope).path, job_id)

    def cancel_path(self, scope: Optional[str], job_id: str) -> str:
        return "%s/%s/cancel" % (self.scope(scope).path, job_id)


_BASE = "/v1/cckm"

CLOUDS: Dict[str, Cloud] = {
    "aws": Cloud(
        name="aws",
        title="AWS KMS",
        scopes={
            "keys": Scope(_BASE + "/aws/synchronization-jobs"),
            "custom_key_stores": Scope(_BASE + "/aws/custom-key-stores/synchronization-jobs"),
        },
        default_scope="keys",
        filter_option="kms",
        sortable=False,
    ),
    "azure": Cloud(
        name="azure",
        title="Azure Key Vault",
        scopes={
            "keys": Scope(_BASE + "/azure/synchronization-jobs"),
            "certificates": Scope(_BASE + "/azure/certificates/synchronization-jobs"),
            "secrets": Scope(_BASE + "/azure/secrets/synchronization-jobs"),
        },
        default_scope="keys",
        filter_option="key_vaults",
        sortable=False,
    ),
    "google": Cloud(
        name="google",
        title="Google Cloud KMS",
        scopes={"keys": Scope(_BASE + "/google/synchronization-jobs")},
        default_scope="keys",
        filter_option="key_rings",
        sortable=True,
    ),
    "oci": Cloud(
        name="oci",
        title="Oracle Cloud Infrastructure Vault",
        scopes={"keys": Scope(_BASE + "/oci/synchronization-jobs")},
        default_scope="keys",
        filter_option="vaults",
        sortable=False,
    ),
    "sap": Cloud(
        name="sap",
        title="SAP Data Custodian",
        scopes={"keys": Scope(_BASE + "/sap/synchronization-jobs")},
        default_scope="keys",
        filter_option="groups",
        sortable=False,
    ),
    "sfdc": Cloud(
        name="sfdc",
        title="Salesforce",
        scopes={
            "keys": Scope(_BASE + "/sfdc/keys/synchronization-jobs"),
            "certificates": Scope(_BASE + "/sfdc/certificates/synchronization-jobs"),
        },
        default_scope="keys",
        filter_option="organizations",
        sortable=True,
    ),
    "luna": Cloud(
        name="luna",
        title="Luna HSM",
        scopes={"keys": Scope(_BASE + "/hsm/luna/synchronize")},
        default_scope="keys",
        filter_option=None,
        sortable=False,
    ),
}

FILTER_OPTIONS: Tuple[str, ...] = tuple(sorted({c.filter_option for c in CLOUDS.values() if c.filter_option}))
"""Every scope filter option of every cloud, to tell a misplaced filter from a typo."""


def cloud_with_filter(option: str) -> Tuple[str, ...]:
    """Names of the clouds whose scope filter is ``option``."""
    return tuple(c.name for c in CLOUDS.values() if c.filter_option == option)
