"""A collection client for the in-process simulator, with retries that do not wait."""

import itertools

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.client import CckmClient, Credentials


def client_of(sim):
    return CckmClient(
        "https://" + sim.address,
        Credentials(sim.username, sim.password),
        verify=sim.ca_file,
        retry_delays=lambda: itertools.repeat(0.0),
        sleep=lambda s: None,
    )
