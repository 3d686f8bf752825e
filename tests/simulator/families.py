"""The CCKM job families the simulator serves, written down from the vendor's API pages (paths and filter keys).

Deliberately independent of the collection's own table of clouds: a unit test compares the two,
so a wrong path in the collection fails a test instead of being served back to it.
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional, Tuple


class Family(NamedTuple):
    cloud: str
    scope: str
    path: str
    filter_key: Optional[str]

    @property
    def key(self) -> str:
        return "%s/%s" % (self.cloud, self.scope)


_ROWS = [
    ("aws", "keys", "/api/v1/cckm/aws/synchronization-jobs", "kms"),
    ("aws", "custom_key_stores", "/api/v1/cckm/aws/custom-key-stores/synchronization-jobs", "kms"),
    ("azure", "keys", "/api/v1/cckm/azure/synchronization-jobs", "key_vaults"),
    ("azure", "certificates", "/api/v1/cckm/azure/certificates/synchronization-jobs", "key_vaults"),
    ("azure", "secrets", "/api/v1/cckm/azure/secrets/synchronization-jobs", "key_vaults"),
    ("google", "keys", "/api/v1/cckm/google/synchronization-jobs", "key_rings"),
    ("oci", "keys", "/api/v1/cckm/oci/synchronization-jobs", "vaults"),
    ("sap", "keys", "/api/v1/cckm/sap/synchronization-jobs", "groups"),
    ("sfdc", "keys", "/api/v1/cckm/sfdc/keys/synchronization-jobs", "organizations"),
    ("sfdc", "certificates", "/api/v1/cckm/sfdc/certificates/synchronization-jobs", "organizations"),
    ("luna", "keys", "/api/v1/cckm/hsm/luna/synchronize", None),
]

FAMILIES: Dict[Tuple[str, str], Family] = {(row[0], row[1]): Family(*row) for row in _ROWS}
