"""The client against the simulator over real TLS: login, refresh, retries, paging, errors, secrets."""

import itertools
import threading
import time

import pytest
import trustme
from cryptography import x509

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.client import CckmClient, Credentials
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError

AWS = "/v1/cckm/aws/synchronization-jobs"


def make_client(sim, sleeps=None, **kwargs):
    creds = kwargs.pop("credentials", None) or Credentials(username=sim.username, password=sim.password)
    recorded = sleeps if sleeps is not None else []
    return CckmClient(
        "https://" + sim.address,
        creds,
        verify=kwargs.pop("verify", sim.ca_file),
        retry_delays=lambda: itertools.repeat(0.0),
        sleep=recorded.append,
        **kwargs,
    )


def test_logs_in_once_and_sends_list_filters_as_repeated_keys(sim):
    sim.add_job("aws", filter_values=["a"])
    sim.add_job("aws", filter_values=["b"])
    sim.add_job("aws", filter_values=["c"])
    client = make_client(sim)
    jobs, total = client.read_listing(AWS, {"kms": ["a", "b"]})
    assert total == 2 and sorted(j["kms"][0] for j in jobs) == ["a", "b"]
    client.read_listing(AWS, {})
    assert sim.stats()["logins"] == 1 and "refreshes" not in sim.stats()


@pytest.mark.parametrize("count, server_cap", [(2500, 1000), (25, 10), (0, 1000), (10, 10)])
def test_pages_until_total_whatever_the_server_page(sim, count, server_cap):
    sim.max_limit = server_cap
    now = time.time()
    for i in range(count):
        sim.add_job("aws", created=now - i)
    jobs, total = make_client(sim).read_listing(AWS, {})
    assert total == count and len(jobs) == count and len({j["id"] for j in jobs}) == count
    assert sim.stats()["list"] == max(1, -(-count // server_cap))


def test_limit_and_skip_window(sim):
    now = time.time()
    made = [sim.add_job("aws", created=now - i).id for i in range(30)]
    sim.max_limit = 7
    jobs, total = make_client(sim).read_listing(AWS, {}, skip=5, limit=12)
    assert total == 30 and [j["id"] for j in jobs] == made[5:17]


def test_refreshes_before_expiry_with_the_refresh_token_not_a_new_login(sim):
    sim.jwt_lifetime = 1.0
    sim.add_job("aws")
    client = make_client(sim)
    client.read_listing(AWS, {})
    time.sleep(1.1)
    client.read_listing(AWS, {})
    stats = sim.stats()
    assert stats["logins"] == 1 and stats["refreshes"] >= 1 and "unauthorized" not in stats


def test_a_401_triggers_one_renewal_and_the_request_is_repeated(sim):
    sim.add_job("aws")
    client = make_client(sim)
    client.read_listing(AWS, {})
    sim.expire_jwts()  # CM forgot the token early: the client's clock still thinks it fresh
    jobs, _total = client.read_listing(AWS, {})
    assert len(jobs) == 1
    stats = sim.stats()
    assert stats["unauthorized"] == 1 and stats["refreshes"] == 1 and stats["logins"] == 1


def test_revoked_refresh_token_falls_back_to_password(sim):
    client = make_client(sim)
    client.authenticate()
    sim.revoke_refresh_tokens()
    sim.expire_jwts()
    client.read_listing(AWS, {})
    assert sim.stats()["logins"] == 2 and sim.stats()["refresh_failures"] == 1


def test_revoked_refresh_token_without_password_is_a_clear_error(sim):
    client = make_client(sim, credentials=Credentials(refresh_token="revoked-token-value"))
    with pytest.raises(CckmError) as info:
        client.read_listing(AWS, {})
    assert "refused the refresh token" in info.value.message and "revoked" in info.value.message
    assert "revoked-token-value" not in info.value.message


def test_wrong_password_names_what_to_check_and_never_the_password(sim):
    client = make_client(sim, credentials=Credentials(username="admin", password="Wrong-Secret-42"))
    with pytest.raises(CckmError) as info:
        client.read_listing(AWS, {})
    message = info.value.message
    assert "HTTP 401" in message and "NCERRUnauthorizedAccess" in message and "Check username, password" in message
    assert "Wrong-Secret-42" not in message and info.value.status == 401
    assert sim.stats()["login_attempts"] == 1  # a 401 is not retried


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_retries_transient_statuses_then_succeeds(sim, status):
    sim.add_job("aws")
    sim.inject("status", status=status, count=3, match="list")
    sleeps = []
    jobs, _total = make_client(sim, sleeps=sleeps).read_listing(AWS, {})
    assert len(jobs) == 1 and len(sleeps) == 3 and sim.stats()["list"] == 1


def test_429_honours_retry_after(sim):
    sim.inject("status", status=429, retry_after="3", match="list")
    sleeps = []
    make_client(sim, sleeps=sleeps).read_listing(AWS, {})
    assert sleeps == [3.0]


def test_retries_are_capped(sim):
    sim.inject("status", status=503, count=100, match="list")
    with pytest.raises(CckmError) as info:
        make_client(sim, max_retries=3).read_listing(AWS, {})
    assert "HTTP 503" in info.value.message and "Gave up after 4 attempts" in info.value.message
    assert sim.stats()["fault_status"] == 4


@pytest.mark.parametrize("status", [400, 403, 404, 409])
def test_other_errors_are_not_retried(sim, status):
    sim.inject("status", status=status, count=5, match="list")
    with pytest.raises(CckmError) as info:
        make_client(sim).read_listing(AWS, {})
    assert info.value.status == status and sim.stats()["fault_status"] == 1
    assert info.value.code == 14 and info.value.request_id


def test_connection_reset_and_drop_are_retried(sim):
    sim.add_job("aws")
    sim.inject("reset", match="list")
    sim.inject("drop", match="list")
    jobs, _total = make_client(sim).read_listing(AWS, {})
    assert len(jobs) == 1


def test_invalid_json_and_html_pages_are_reported_plainly(sim):
    sim.inject("invalid_json", count=10, match="list")
    with pytest.raises(CckmError) as info:
        make_client(sim, max_retries=1).read_listing(AWS, {})
    assert "not JSON" in info.value.message
    sim.reset()
    sim.inject("html", status=502, count=10, match="list")
    with pytest.raises(CckmError) as info:
        make_client(sim, max_retries=1).read_listing(AWS, {})
    assert "HTTP 502" in info.value.message and "Bad Gateway" in info.value.message


def test_get_job_404_is_none(sim):
    assert make_client(sim).get_job(AWS + "/no-such-id") is None


def simulator_issuer(sim):
    """The issuer of the simulator's certificate as cryptography reads it, most specific first (the oracle)."""
    return x509.load_pem_x509_certificate(sim.cert.cert_chain_pems[0].bytes()).issuer.rfc4514_string().replace(",", ", ")


def test_tls_without_the_ca_fails_with_how_to_fix(sim, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with pytest.raises(CckmError) as info:
        make_client(sim, verify=True).read_listing(AWS, {})
    message = info.value.message
    assert "set 'ca_cert' (CM_CA_CERT) to the CA bundle that signed CM's certificate" in message
    assert "validate_certs: false" in message and "issued by '%s'" % simulator_issuer(sim) in message, message


def test_tls_with_a_ca_cert_that_did_not_sign_cm_names_the_file_its_variable_and_cms_issuer(sim, tmp_path):
    other_ca = str(tmp_path / "other-ca.pem")
    trustme.CA(organization_name="Not CM's CA").cert_pem.write_to_path(other_ca)
    with pytest.raises(CckmError) as info:
        make_client(sim, verify=other_ca, ca_origin="CM_CA_CERT").read_listing(AWS, {})
    message = info.value.message
    assert "TLS verification of %s failed" % sim.address in message, message
    assert "the CA certificate given in ca_cert (%r, from CM_CA_CERT) did not sign CM's certificate" % other_ca in message
    assert "CM presented a certificate issued by '%s'" % simulator_issuer(sim) in message
    assert "Not CM's CA" not in message and "set 'ca_cert'" not in message
    assert sim.stats().get("logins", 0) == 0 and not info.value.retryable


def test_ca_cert_wins_over_requests_ca_bundle(sim, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert make_client(sim).read_listing(AWS, {}) == ([], 0)


def test_validate_certs_false_is_honoured_despite_requests_ca_bundle(sim, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    assert make_client(sim, verify=False).read_listing(AWS, {}) == ([], 0)


def test_refused_connection_says_so(sim):
    client = CckmClient(
        "https://127.0.0.1:9",
        Credentials(username="a", password="b"),
        verify=sim.ca_file,
        max_retries=1,
        retry_delays=lambda: itertools.repeat(0.0),
        sleep=lambda s: None,
    )
    with pytest.raises(CckmError) as info:
        client.read_listing(AWS, {})
    assert "refused" in info.value.message and "Gave up after 2 attempts" in info.value.message


def test_tls_connection_closed_before_the_handshake_is_retried_not_blamed_on_the_ca(sim):
    sim.inject("tls_eof", match="handshake", count=2)  # CM going down closes what it had accepted
    jobs, total = make_client(sim).read_listing(AWS, {})
    assert (jobs, total) == ([], 0) and sim.stats()["fault_tls_eof"] == 2


def test_tls_connection_closed_before_the_handshake_forever_is_a_connection_error(sim):
    sim.inject("tls_eof", match="handshake", count=100)
    with pytest.raises(CckmError) as info:
        make_client(sim, max_retries=2).read_listing(AWS, {})
    message = info.value.message
    assert "Connection to %s failed" % sim.address in message and "ca_cert" not in message
    assert "Gave up after 3 attempts" in message and sim.stats()["fault_tls_eof"] == 3


def test_post_is_never_retried(sim):
    sim.inject("status", status=503, match="other")
    with pytest.raises(CckmError) as info:
        make_client(sim).post(AWS, {"kms": ["a"]})
    assert sim.stats()["fault_status"] == 1 and "start" not in sim.stats()
    assert "Gave up" not in info.value.message


def test_post_dropped_after_cm_acted_is_not_sent_again(sim):
    sim.inject("drop", match="other")
    with pytest.raises(CckmError) as info:
        make_client(sim).post(AWS, {"kms": ["a"]})
    assert info.value.retryable and sim.stats()["fault_drop"] == 1 and "start" not in sim.stats()


def test_post_refused_with_401_renews_the_token_and_is_sent_once_more(sim):
    client = make_client(sim)
    client.authenticate()
    sim.expire_jwts()  # CM refuses the POST before doing anything
    job = client.post(AWS, {"kms": ["a"]})
    stats = sim.stats()
    assert job["kms"] == ["a"] and stats["start"] == 1 and stats["unauthorized"] == 1 and stats["refreshes"] == 1


def test_ready_token_is_used_without_login(sim):
    jwt = sim.issue_tokens("admin", with_refresh=False)["jwt"]
    client = make_client(sim, credentials=Credentials(token=jwt))
    assert client.read_listing(AWS, {}) == ([], 0)
    assert "logins" not in sim.stats()
    sim.expire_jwts()
    with pytest.raises(CckmError) as info:
        client.read_listing(AWS, {})
    assert "refused the token" in info.value.message and jwt not in info.value.message


def _thirty_jobs(sim):
    now = time.time()
    sim.max_limit = 10
    return [sim.add_job("aws", created=now - i).id for i in range(30)]


def _once_on_a_later_page(action):
    done = []

    def hook(path, skip):
        if skip > 0 and not done:
            done.append(skip)
            action()

    return hook


def test_a_list_that_shrinks_between_pages_is_read_again_and_loses_nothing(sim):
    made = _thirty_jobs(sim)
    sim.page_hook = _once_on_a_later_page(lambda: sim.store.remove(made[0]))
    jobs, total = make_client(sim).read_listing(AWS, {})
    assert [j["id"] for j in jobs] == made[1:] and total == 29
    assert sim.stats()["list"] == 6  # one pass of 3 pages that moved, one steady pass


def test_a_list_that_grows_between_pages_is_read_again_without_duplicates(sim):
    made = _thirty_jobs(sim)
    added = []
    sim.page_hook = _once_on_a_later_page(lambda: added.append(sim.add_job("aws").id))
    jobs, total = make_client(sim).read_listing(AWS, {})
    assert [j["id"] for j in jobs] == added + made and total == 31


def test_a_list_that_never_stops_moving_is_read_a_bounded_number_of_times(sim):
    made = _thirty_jobs(sim)
    sim.page_hook = lambda path, skip: sim.add_job("aws") if skip else None
    jobs, _total = make_client(sim).read_listing(AWS, {})
    ids = [j["id"] for j in jobs]
    assert len(ids) == len(set(ids)) and set(made) <= set(ids)
    assert sim.stats()["list"] <= 2 * 3 + 10  # two passes of 3 pages, then one page by page


def test_later_pages_are_fetched_concurrently_in_order_with_one_renewal(sim):
    now = time.time()
    made = [sim.add_job("aws", created=now - i).id for i in range(100)]
    sim.max_limit = 10
    client = make_client(sim)
    client.read_listing(AWS, {})
    sim.page_hook = _once_on_a_later_page(sim.expire_jwts)
    in_flight, peak = [0], [0]
    lock = threading.Lock()

    def slow_hook(path, skip, expire=sim.page_hook):
        expire(path, skip)
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1

    sim.page_hook = slow_hook
    jobs, total = client.read_listing(AWS, {})
    assert [j["id"] for j in jobs] == made and total == 100
    assert peak[0] > 1, "later pages were fetched one after another"
    stats = sim.stats()
    assert stats["logins"] == 1 and stats["refreshes"] == 1
