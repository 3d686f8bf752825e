"""The client over a simulated CipherTrust Manager cluster (real TLS): failover, logins per node, replication lag."""

import itertools
import threading

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.client import CckmClient, Credentials
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.nodes import Node, failover_order
from tests.simulator import Simulator

AWS = "/v1/cckm/aws/synchronization-jobs"


@pytest.fixture
def cluster():
    with Simulator(nodes=3) as sim:
        yield sim


def client_of(sim, addresses=None, password=None, sleeps=None, **kwargs):
    skipped = kwargs.pop("skipped", None)
    return CckmClient(
        ["https://" + address for address in (addresses or sim.addresses)],
        Credentials(sim.username, password or sim.password),
        verify=sim.ca_file,
        retry_delays=lambda: itertools.repeat(0.0),
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        on_skip=skipped.append if skipped is not None else None,
        **kwargs,
    )


def nodes_asked(sim):
    return [entry["node"] for entry in sim.requests_seen() if entry["path"] != "/api/v1/auth/tokens"]


def test_a_read_moves_to_the_next_node_when_the_node_in_use_is_down_and_stays_there(cluster):
    cluster.add_job("aws")
    skipped = []
    client = client_of(cluster, skipped=skipped)
    assert client.read_listing(AWS, {})[1] == 1
    cluster.stop_node(0)
    for _read in range(3):
        assert client.read_listing(AWS, {})[1] == 1
    assert client.node.url.endswith(cluster.addresses[1])
    assert nodes_asked(cluster) == [0, 1, 1, 1], "once moved, the next node is the node in use"
    assert len(skipped) == 1 and cluster.addresses[0] in skipped[0] and "went on with %s" % cluster.addresses[1] in skipped[0]
    assert cluster.stats()["logins"] == 1, "shared keys: node 1 takes node 0's token"


def test_with_per_node_keys_each_node_used_gets_one_login_of_its_own(cluster):
    cluster.jwt_keys = "per_node"
    cluster.add_job("aws")
    client = client_of(cluster)
    client.read_listing(AWS, {})
    cluster.stop_node(0)
    for _read in range(3):
        client.read_listing(AWS, {})
    stats = cluster.stats()
    # node 1 gets its own token with the refresh token node 0's login returned: one grant, no second password login
    assert stats["logins"] == stats["logins:node0"] == 1 and stats["refreshes:node1"] == 1, stats
    assert stats["unauthorized"] == 1, "node 1 refused node 0's token once"


@pytest.mark.parametrize("status, moves", [(502, True), (503, True), (504, True), (500, False), (429, False)])
def test_which_answers_move_a_read_to_another_node(cluster, status, moves):
    cluster.add_job("aws")
    cluster.inject("status", status=status, match="list", node=0)
    client = client_of(cluster)
    client.read_listing(AWS, {})
    assert nodes_asked(cluster) == ([0, 1] if moves else [0, 0])


def test_a_write_goes_to_the_node_in_use_only_and_is_never_sent_to_another(cluster):
    cluster.inject("status", status=503, match="other", node=0)
    client = client_of(cluster)
    with pytest.raises(CckmError) as info:
        client.post(AWS, {"kms": ["a"]})
    assert info.value.status == 503
    assert [e["node"] for e in cluster.requests_seen() if e["method"] == "POST" and e["path"].endswith("jobs")] == [0]


def test_every_node_down_is_one_clear_failure_naming_every_node_within_the_retries(cluster):
    for node in range(3):
        cluster.stop_node(node)
    sleeps = []
    client = client_of(cluster, sleeps=sleeps, max_retries=2)
    with pytest.raises(CckmError) as info:
        client.read_listing(AWS, {})
    message = info.value.message
    assert "Every node was tried: %s." % ", ".join(cluster.addresses) in message and "Gave up after 3 attempts" in message
    assert len(sleeps) == 2, "one pass over the nodes per attempt"


def test_recently_failed_nodes_are_asked_last():
    a, b, c = Node("https://a"), Node("https://b"), Node("https://c")
    b.failed_at = 100.0
    assert failover_order([a, b, c], a, now=150.0) == [a, c, b]
    assert failover_order([a, b, c], a, now=1000.0) == [a, b, c]
    c.failed_at = 90.0
    assert failover_order([a, b, c], a, now=150.0) == [a, c, b], "the one that failed longest ago first"


def test_a_job_just_started_through_a_load_balancer_is_read_back_despite_the_replication_lag(cluster):
    cluster.lag = 1.5
    balancer = cluster.start_balancer()
    client = client_of(cluster, addresses=[balancer])
    client.sleep = lambda seconds: threading.Event().wait(seconds)  # the lag is real time
    job = client.post(AWS, {"kms": ["a"]})
    found = [client.get_job(AWS + "/" + job["id"]) for _read in range(3)]
    assert all(found) and {j["id"] for j in found} == {job["id"]}
    assert cluster.stats()["start"] == 1


def test_not_found_as_cms_400_is_none_and_something_never_written_is_not_waited_for(cluster):
    cluster.not_found_status = 400
    sleeps = []
    client = client_of(cluster, sleeps=sleeps)
    assert client.get_job(AWS + "/4f1d1b1b-0000-0000-0000-000000000000") is None
    assert sleeps == [], "only what this run wrote gets the replication grace"


def test_a_refused_password_is_never_sent_again_even_from_several_threads(cluster):
    client = client_of(cluster, password="Wrong-Password-1")
    errors = []

    def read():
        try:
            client.read_listing(AWS, {})
        except CckmError as error:
            errors.append(error)

    threads = [threading.Thread(target=read) for _thread in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(errors) == 4 and all("Check username, password" in e.message for e in errors)
    assert cluster.stats()["login_attempts"] == 1, "CM locks an account after repeated failed logins"
