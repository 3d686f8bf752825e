"""A module whose CA bundle did not sign CM's certificate says which bundle, from where, and who did sign it."""

from __future__ import annotations

import pytest
import trustme
from cryptography import x509


@pytest.fixture
def other_ca(tmp_path):
    path = str(tmp_path / "other-ca.pem")
    trustme.CA(organization_name="Not CM's CA").cert_pem.write_to_path(path)
    return path


def issuer_of(sim):
    return x509.load_pem_x509_certificate(sim.cert.cert_chain_pems[0].bytes()).issuer.rfc4514_string().replace(",", ", ")


@pytest.mark.parametrize("variable", ["CM_CA_CERT", "CIPHERTRUST_CA_CERT"])
def test_a_ca_bundle_from_a_variable_names_the_variable_the_file_and_cms_issuer(sim, run_module, monkeypatch, other_ca, variable):
    monkeypatch.delenv("CM_CA_CERT")
    monkeypatch.delenv("CIPHERTRUST_CA_CERT", raising=False)
    monkeypatch.setenv(variable, other_ca)
    result = run_module("aws_sync_job_info")
    assert result["failed"], result
    message = result["msg"]
    assert "the CA certificate given in ca_cert (%r, from %s) did not sign CM's certificate" % (other_ca, variable) in message
    assert "issued by '%s'" % issuer_of(sim) in message and sim.password not in message
    assert sim.stats().get("logins", 0) == 0


def test_a_ca_bundle_given_as_the_option_names_the_option_and_the_file(sim, run_module, monkeypatch, other_ca):
    monkeypatch.setenv("CIPHERTRUST_CA_CERT", sim.ca_file)  # the task's option wins over any variable
    message = run_module("aws_sync_job_info", {"ca_cert": other_ca})["msg"]
    assert "the CA certificate given in ca_cert (%r) did not sign CM's certificate" % other_ca in message, message
    assert "issued by '%s'" % issuer_of(sim) in message
