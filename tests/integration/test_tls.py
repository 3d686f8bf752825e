"""TLS: verification on by default, a ca_cert that did not sign CM, ca_cert over REQUESTS_CA_BUNDLE, validate_certs
false, host names.

Every run sets REQUESTS_CA_BUNDLE to the system bundle (as execution environments do), which
requests would otherwise let override the collection's own choice.
"""

from __future__ import annotations

import pytest
import trustme
from cryptography import x509

from tests.simulator import Simulator

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

BOTH = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: info
      ciphertrust.cckm.aws_sync_job_info:
      ignore_errors: true
    - name: wait
      ciphertrust.cckm.sync_job_wait:
        cloud: aws
      ignore_errors: true
"""


def issuer_of(sim):
    """The issuer of the simulator's certificate as cryptography reads it, most specific first."""
    return x509.load_pem_x509_certificate(sim.cert.cert_chain_pems[0].bytes()).issuer.rfc4514_string().replace(",", ", ")


def run_both(ansible, **env):
    return ansible.playbook(BOTH, REQUESTS_CA_BUNDLE=SYSTEM_BUNDLE, **env)


def test_self_signed_cm_without_ca_cert_fails_saying_how_to_fix_it(sim, ansible):
    run = run_both(ansible, CM_CA_CERT=None)
    for task in ("info", "wait"):
        message = run.result(task)["msg"]
        assert "TLS verification of %s failed" % sim.address in message, message
        assert "set 'ca_cert' (CM_CA_CERT)" in message and "validate_certs: false" in message
        assert "issued by '%s'" % issuer_of(sim) in message, message
    assert sim.stats().get("logins", 0) == 0


def test_a_ca_cert_that_did_not_sign_cm_is_named_with_the_issuer_cm_presented(sim, ansible, tmp_path):
    other_ca = str(tmp_path / "other-ca.pem")
    trustme.CA(organization_name="Not CM's CA").cert_pem.write_to_path(other_ca)
    run = run_both(ansible, CM_CA_CERT=other_ca)
    for task in ("info", "wait"):
        message = run.result(task)["msg"]
        assert "the CA certificate given in ca_cert (%r, from CM_CA_CERT) did not sign CM's certificate" % other_ca in message
        assert "issued by '%s'" % issuer_of(sim) in message and "set 'ca_cert'" not in message, message
    assert sim.stats().get("logins", 0) == 0


def test_ca_cert_wins_over_requests_ca_bundle(sim, ansible):
    sim.add_job("aws")
    run = run_both(ansible)
    assert run.status("info") == "ok" and run.result("info")["total"] == 1, run.output
    assert run.status("wait") == "ok"


def test_validate_certs_false_works_and_warns_every_run(sim, ansible):
    sim.add_job("aws")
    run = run_both(ansible, CM_CA_CERT=None, CM_VALIDATE_CERTS="false")
    for task in ("info", "wait"):
        result = run.result(task)
        assert run.status(task) == "ok", run.output
        assert any("validate_certs is false" in warning for warning in result.get("warnings", [])), result
    assert "InsecureRequestWarning" not in run.output  # one plain warning, not urllib3's


@pytest.fixture(scope="module")
def other_name_sim():
    with Simulator(cert_names=["cm.example.test"]) as other:
        yield other


def test_a_certificate_for_another_host_name_is_refused(other_name_sim, ansible):
    env = {
        "CM_ADDRESS": other_name_sim.address,
        "CM_CA_CERT": other_name_sim.ca_file,
        "CM_PASSWORD": other_name_sim.password,
    }
    run = run_both(ansible, **env)
    for task in ("info", "wait"):
        message = run.result(task)["msg"]
        assert "the certificate does not name '127.0.0.1'" in message, message
    assert other_name_sim.stats().get("logins", 0) == 0
