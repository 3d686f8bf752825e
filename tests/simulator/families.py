"""The CCKM job families the simulator serves, written down from the vendor's API pages (paths and filter keys).

Deliberately independent of the collection's own table of clouds: a unit test compares the two,
so a wrong path in the collection fails a test instead of being served back to it.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


class Family(NamedTuple):
    """One family of jobs, and what the simulator needs to play its cloud."""

    cloud: str
    scope: str
    path: str
    filter_key: Optional[str]
    """Listing filter (query key) for the targets, None when the family has none (luna)."""
    start_field: str
    """Field of a start body (``POST <path>``) that lists the targets (sfdc: ``organization_ids``)."""
    job_key: str
    """Field of a job that lists its targets (luna has no filter but lists ``partitions``)."""
    cm_cloud: str
    """What CM writes in a job's ``cloud`` field."""
    scheduler_cloud: str
    """``cloud_name`` of a scheduled synchronization for this cloud (``AzureCloud``, ``hsm-luna``)."""
    scheduler_field: str
    """Field of ``cckm_synchronization_params`` that lists the targets (oci: ``oci_vaults``)."""
    sample_targets: Tuple[str, ...]
    """Targets the demo seed gives its jobs."""
    targets_path: str = ""
    """Where CM lists what the family synchronizes (KMS accounts, vaults, ...), as the vendor's Terraform provider reads it."""

    @property
    def key(self) -> str:
        return "%s/%s" % (self.cloud, self.scope)


_AWS = ("kms", "kms", "aws", "aws", "kms", ("kms-prod",))
_AZURE = ("key_vaults", "key_vaults", "AzureCloud", "AzureCloud", "key_vaults", ("keyvault-softkeys",))
_SFDC = ("organization_ids", "organizations", "sfdc", "sfdc", "organizations", ("00DB000000040bIMAQ",))

# (cloud, scope, path, filter key) + (start field, job key, CM's cloud, scheduler cloud_name, its target field, samples)
_ROWS = [
    ("aws", "keys", "/api/v1/cckm/aws/synchronization-jobs", "kms") + _AWS,
    ("aws", "custom_key_stores", "/api/v1/cckm/aws/custom-key-stores/synchronization-jobs", "kms") + _AWS,
    ("azure", "keys", "/api/v1/cckm/azure/synchronization-jobs", "key_vaults") + _AZURE,
    ("azure", "certificates", "/api/v1/cckm/azure/certificates/synchronization-jobs", "key_vaults") + _AZURE,
    ("azure", "secrets", "/api/v1/cckm/azure/secrets/synchronization-jobs", "key_vaults") + _AZURE,
    ("google", "keys", "/api/v1/cckm/google/synchronization-jobs", "key_rings", "key_rings", "key_rings", "gcp", "gcp")
    + ("key_rings", ("projects/demo/locations/global/keyRings/ring-1",)),
    ("oci", "keys", "/api/v1/cckm/oci/synchronization-jobs", "vaults", "vaults", "vaults", "oci", "oci", "oci_vaults")
    + (("vault-finance",),),
    ("sap", "keys", "/api/v1/cckm/sap/synchronization-jobs", "groups", "groups", "groups", "sap", "sap", "groups")
    + (("group-payments",),),
    ("sfdc", "keys", "/api/v1/cckm/sfdc/keys/synchronization-jobs", "organizations") + _SFDC,
    ("sfdc", "certificates", "/api/v1/cckm/sfdc/certificates/synchronization-jobs", "organizations") + _SFDC,  # unconfirmed
    # luna's start field and job key are not confirmed by the vendor's API pages
    ("luna", "keys", "/api/v1/cckm/hsm/luna/synchronize", None, "partitions", "partitions", "luna", "hsm-luna", "partitions", ()),
    ("luna", "refresh", "/api/v1/cckm/hsm/luna/refresh", None, "partitions", "partitions", "luna", "hsm-luna", "partitions", ()),
    # CM's operations list has these refresh families; their filter, start field and target listing are unconfirmed
    ("dsm", "keys", "/api/v1/cckm/dsm/refresh", None, "domains", "domains", "dsm", "dsm", "domains", ("domain-finance",)),
    ("external_cm", "keys", "/api/v1/cckm/external-cm/refresh", None, "connections", "connections", "external-cm", "", "")
    + (("cm-dr-site",),),
]

_TARGET_LISTINGS = {
    ("aws", "keys"): "/api/v1/cckm/aws/kms",
    ("aws", "custom_key_stores"): "/api/v1/cckm/aws/custom-key-stores",
    ("azure", "keys"): "/api/v1/cckm/azure/vaults",
    ("azure", "certificates"): "/api/v1/cckm/azure/vaults",
    ("azure", "secrets"): "/api/v1/cckm/azure/vaults",
    ("google", "keys"): "/api/v1/cckm/google/key-rings",
    ("oci", "keys"): "/api/v1/cckm/oci/vaults",
    ("sap", "keys"): "/api/v1/cckm/sap/groups",
    ("sfdc", "keys"): "/api/v1/cckm/sfdc/organizations",
    ("sfdc", "certificates"): "/api/v1/cckm/sfdc/organizations",
    ("luna", "keys"): "/api/v1/cckm/hsm/luna/partitions",
    ("luna", "refresh"): "/api/v1/cckm/hsm/luna/partitions",
    ("dsm", "keys"): "",
    ("external_cm", "keys"): "",
}

FAMILIES: Dict[Tuple[str, str], Family] = {
    (row[0], row[1]): Family(*row, targets_path=_TARGET_LISTINGS[(row[0], row[1])]) for row in _ROWS
}

LISTED: Dict[Tuple[str, str], Family] = {key: family for key, family in FAMILIES.items() if family.targets_path}
"""The families whose targets CM lists (the refresh families of DSM and external CM have no listing known)."""

TARGET_LISTINGS: Tuple[str, ...] = tuple(sorted(set(_TARGET_LISTINGS.values()) - {""}))

SCHEDULER_CLOUDS: Dict[str, Tuple[str, str]] = {
    family.scheduler_cloud: (family.cloud, family.scheduler_field) for family in FAMILIES.values() if family.scheduler_cloud
}
"""Scheduler ``cloud_name`` -> (cloud, its params target field)."""
