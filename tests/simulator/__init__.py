"""A CipherTrust Manager simulator for the ciphertrust.cckm tests, demo and benchmarks.

A real HTTPS server on 127.0.0.1 that speaks CCKM's synchronization-job API for every cloud
in the collection's table: login (password and refresh-token grants, expiring JWTs), listing with
filters and skip/limit/total paging, get by id, start and cancel. Jobs move through time; faults can
be injected; requests and logins are counted. Run it standalone with ``python -m tests.simulator``.
"""

from tests.simulator.server import Simulator  # noqa: F401
from tests.simulator.store import JobStore, SimJob  # noqa: F401
