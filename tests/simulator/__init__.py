"""A CipherTrust Manager simulator for the ciphertrust.cckm tests, demo and benchmarks.

A real HTTPS server on 127.0.0.1 that speaks CCKM's synchronization-job API for every cloud
in the collection's table: login (password and refresh-token grants, expiring JWTs), listing with
filters and skip/limit/total paging, get by id, start and cancel. Jobs move through time; faults can
be injected; requests and logins are counted. Run it standalone with ``python -m tests.simulator``.
"""

from typing import Any

_LAZY = {"Simulator": "tests.simulator.server", "JobStore": "tests.simulator.store", "SimJob": "tests.simulator.store"}


def __getattr__(name: str) -> Any:
    """The server's classes, imported when first asked for: ``python -m tests.simulator --help`` needs no trustme."""
    if name not in _LAZY:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(_LAZY[name]), name)
