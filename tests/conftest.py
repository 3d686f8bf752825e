"""Shared pytest set-up: the collection importable as ansible_collections.ciphertrust.cckm, and a simulator."""

from __future__ import annotations

import importlib
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
importlib.import_module("tools")  # links the checkout as ansible_collections.ciphertrust.cckm
from tests.simulator import Simulator  # noqa: E402


@pytest.fixture(scope="session")
def simulator_session():
    with Simulator(jwt_lifetime=300) as sim:
        yield sim


@pytest.fixture
def sim(simulator_session):
    """The session's simulator, emptied before each test (jobs, faults, counters, tokens)."""
    simulator_session.reset()
    simulator_session.jwt_lifetime = 300
    simulator_session.max_limit = 1000
    yield simulator_session
    simulator_session.reset()


@pytest.fixture(params=["listed", "with_all"])
def both_target_filters(request, sim):
    """Run the test against a CM whose target filter returns only the jobs that list a target, and one that
    also returns the jobs that synchronize everything (unconfirmed: CM may answer either way)."""
    sim.target_filter = request.param
    return request.param
