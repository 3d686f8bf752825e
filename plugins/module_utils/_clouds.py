# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of CCKM clouds, scopes, API paths and filters.

Internal to ciphertrust.cckm: not a public API, may change without notice.
Adding a cloud or a scope is one row here; `make derive` writes what follows from it (docs/architecture.md).
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


class Scope(NamedTuple):
    """One listable family of synchronization jobs."""

    path: str
    """Path under ``/api`` that lists (GET), starts (POST) and holds jobs (``<path>/<id>``)."""
    start_targets: str
    """Field of the start body (``POST <path>``) that lists the targets, e.g. ``organization_ids`` for sfdc."""
    targets: str = ""
    """Path under ``/api`` that lists what the scope synchronizes (KMS accounts, vaults, ...), for sync_status."""
    backup: bool = False
    """Whether a start takes ``take_cloud_key_backup`` (Azure keys)."""


class Cloud(NamedTuple):
    """A cloud served by CCKM and how its synchronization jobs are reached."""

    name: str
    title: str
    scopes: Dict[str, Scope]
    default_scope: str
    filter_option: Optional[str]
    """Module option (and query key) that filters jobs by what they synchronize, or None."""
    target_option: str
    """Module option of ``sync_job`` that names what to synchronize (the filter option, or ``partitions`` for luna)."""
    job_target_keys: Tuple[str, ...]
    """Fields of a job that list its targets (Salesforce's example carries them under ``kms`` too)."""
    schedule_cloud: Optional[str]
    """``cloud_name`` of a scheduled synchronization (``cckm_synchronization_params``), e.g. ``AzureCloud``; None
    where the scheduler's name for the cloud is not known (sync_schedule does not offer it)."""
    schedule_targets: str
    """Field of ``cckm_synchronization_params`` that lists the targets, e.g. ``oci_vaults`` for oci."""
    regions: bool = False
    """Whether a start also takes ``regions`` (AWS; none means every region)."""
    target_ids: Tuple[str, ...] = ()
    """Fields of a listed target, besides ``id`` and ``name``, by which a job may name it (the cloud's own ids)."""
    unconfirmed: str = ""
    """What of this cloud's API the vendor's pages do not confirm (said in the docs; the simulator plays each answer)."""
    target_qualifier: Optional[str] = None
    """Field of a listed target that jobs join to its name as ``<name>::<value>`` (Azure's ``subscription_id``)."""
    archived_status: Optional[str] = None
    """``status`` of a listed target that is no longer synchronized, skipped by sync_status (AWS: ``archived``)."""

    def scope(self, name: Optional[str]) -> Scope:
        return self.scopes[name or self.default_scope]

    def job_path(self, scope: Optional[str], job_id: str) -> str:
        return "%s/%s" % (self.scope(scope).path, job_id)

    def cancel_path(self, scope: Optional[str], job_id: str) -> str:
        """``POST`` here cancels a running job."""
        return "%s/%s/cancel" % (self.scope(scope).path, job_id)


_BASE = "/v1/cckm"
_AZURE_VAULTS = _BASE + "/azure/vaults"
_SFDC_ORGS = _BASE + "/sfdc/organizations"

CLOUDS: Dict[str, Cloud] = {
    "aws": Cloud(
        name="aws",
        title="AWS KMS",
        scopes={
            "keys": Scope(_BASE + "/aws/synchronization-jobs", "kms", _BASE + "/aws/kms"),
            "custom_key_stores": Scope(
                _BASE + "/aws/custom-key-stores/synchronization-jobs", "kms", _BASE + "/aws/custom-key-stores"
            ),
        },
        default_scope="keys",
        filter_option="kms",
        target_option="kms",
        job_target_keys=("kms",),
        schedule_cloud="aws",
        schedule_targets="kms",
        regions=True,
        target_ids=("account_id",),
        archived_status="archived",
    ),
    "azure": Cloud(
        name="azure",
        title="Azure Key Vault",
        scopes={
            "keys": Scope(_BASE + "/azure/synchronization-jobs", "key_vaults", _AZURE_VAULTS, backup=True),
            "certificates": Scope(_BASE + "/azure/certificates/synchronization-jobs", "key_vaults", _AZURE_VAULTS),
            "secrets": Scope(_BASE + "/azure/secrets/synchronization-jobs", "key_vaults", _AZURE_VAULTS),
        },
        default_scope="keys",
        filter_option="key_vaults",
        target_option="key_vaults",
        job_target_keys=("key_vaults",),
        schedule_cloud="AzureCloud",
        schedule_targets="key_vaults",
        target_ids=("azure_vault_id", "vault_id"),
        target_qualifier="subscription_id",
    ),
    "google": Cloud(
        name="google",
        title="Google Cloud KMS",
        scopes={"keys": Scope(_BASE + "/google/synchronization-jobs", "key_rings", _BASE + "/google/key-rings")},
        default_scope="keys",
        filter_option="key_rings",
        target_option="key_rings",
        job_target_keys=("key_rings",),
        schedule_cloud="gcp",
        schedule_targets="key_rings",
        target_ids=("key_ring_id",),
    ),
    "oci": Cloud(
        name="oci",
        title="Oracle Cloud Infrastructure Vault",
        scopes={"keys": Scope(_BASE + "/oci/synchronization-jobs", "vaults", _BASE + "/oci/vaults")},
        default_scope="keys",
        filter_option="vaults",
        target_option="vaults",
        job_target_keys=("vaults",),
        schedule_cloud="oci",
        schedule_targets="oci_vaults",
        target_ids=("vault_id", "ocid"),
    ),
    "sap": Cloud(
        name="sap",
        title="SAP Data Custodian",
        scopes={"keys": Scope(_BASE + "/sap/synchronization-jobs", "groups", _BASE + "/sap/groups")},
        default_scope="keys",
        filter_option="groups",
        target_option="groups",
        job_target_keys=("groups",),
        schedule_cloud="sap",
        schedule_targets="groups",
        target_ids=("group_id",),
    ),
    "sfdc": Cloud(
        name="sfdc",
        title="Salesforce",
        scopes={
            "keys": Scope(_BASE + "/sfdc/keys/synchronization-jobs", "organization_ids", _SFDC_ORGS),
            "certificates": Scope(
                _BASE + "/sfdc/certificates/synchronization-jobs", "organization_ids", _SFDC_ORGS
            ),  # unconfirmed
        },
        default_scope="keys",
        filter_option="organizations",
        target_option="organizations",
        job_target_keys=("organizations", "kms"),
        schedule_cloud="sfdc",
        schedule_targets="organizations",
        target_ids=("organization_id",),
    ),
    "luna": Cloud(
        name="luna",
        title="Luna HSM",
        scopes={
            "keys": Scope(_BASE + "/hsm/luna/synchronize", "partitions", _BASE + "/hsm/luna/partitions"),
            "refresh": Scope(_BASE + "/hsm/luna/refresh", "partitions", _BASE + "/hsm/luna/partitions"),
        },
        default_scope="keys",
        filter_option=None,
        target_option="partitions",
        job_target_keys=("partitions",),
        schedule_cloud="hsm-luna",
        schedule_targets="partitions",
        target_ids=("partition_id",),
        unconfirmed="the start body's target field (partitions) and the target listing",
    ),
    "dsm": Cloud(
        name="dsm",
        title="CipherTrust Data Security Manager",
        scopes={"keys": Scope(_BASE + "/dsm/refresh", "domains")},
        default_scope="keys",
        filter_option=None,
        target_option="domains",
        job_target_keys=("domains",),
        schedule_cloud="dsm",
        schedule_targets="domains",
        target_ids=("domain_id",),
        unconfirmed="the listing's target filter, the start body's target field (domains) and a target listing",
    ),
    "external_cm": Cloud(
        name="external_cm",
        title="External CipherTrust Manager",
        scopes={"keys": Scope(_BASE + "/external-cm/refresh", "connections")},
        default_scope="keys",
        filter_option=None,
        target_option="connections",
        job_target_keys=("connections",),
        schedule_cloud=None,
        schedule_targets="connections",
        unconfirmed="the listing's target filter, the start body's target field (connections), a target listing and "
        "the scheduler's name for it",
    ),
}

FILTER_OPTIONS: Tuple[str, ...] = tuple(sorted({c.filter_option for c in CLOUDS.values() if c.filter_option}))
"""Every scope filter option of every cloud, to tell a misplaced filter from a typo."""


TARGET_OPTIONS: Tuple[str, ...] = tuple(sorted({c.target_option for c in CLOUDS.values()} | {"regions"}))
"""Every option of sync_job that names what to synchronize, of every cloud."""


SCHEDULE_CLOUDS: Dict[str, Cloud] = {c.schedule_cloud.lower(): c for c in CLOUDS.values() if c.schedule_cloud}
"""Scheduler ``cloud_name`` (lower-cased: CM's case is not documented to be stable) -> cloud."""

SCHEDULABLE: Dict[str, Cloud] = {name: cloud for name, cloud in CLOUDS.items() if cloud.schedule_cloud}
"""The clouds sync_schedule offers: those whose scheduler name is known."""


def cloud_with_filter(option: str) -> Tuple[str, ...]:
    """Names of the clouds whose scope filter is ``option``."""
    return tuple(c.name for c in CLOUDS.values() if c.filter_option == option)
