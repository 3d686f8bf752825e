"""Turning CM answers and transport failures into messages: pure functions, no server."""

import ssl

import pytest
import requests

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.certificate import CertificateNames
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import (
    CckmError,
    decode_answer,
    http_error,
    retry_after_seconds,
    transport_error,
)

URL = "https://cm.example.com/api/v1/cckm/aws/synchronization-jobs"


class Answer:
    def __init__(self, status, body=b"", reason="", headers=None):
        self.status_code = status
        self.content = body
        self.text = body.decode()
        self.reason = reason
        self.headers = headers or {}

    def json(self):
        import json

        return json.loads(self.content)


def test_cm_error_body_gives_status_code_desc_message_request_id_and_a_hint():
    body = b'{"code": 5, "codeDesc": "NCERRUnauthorizedAccess", "message": "Token is expired", "requestID": "r-1"}'
    error = http_error("GET", URL, Answer(401, body, "Unauthorized"))
    assert error.message == (
        "CipherTrust Manager answered GET %s with HTTP 401 Unauthorized: NCERRUnauthorizedAccess (code 5): Token is "
        "expired [requestID r-1]. The credentials or token were refused; check username, password and domain, or renew "
        "the token." % URL
    )
    assert (error.status, error.code, error.request_id, error.retryable) == (401, 5, "r-1", False)
    assert error.details()["cm_code_desc"] == "NCERRUnauthorizedAccess"


def test_a_non_json_error_page_is_quoted_and_5xx_are_retryable():
    error = http_error("GET", URL, Answer(502, b"<html><h1>Bad Gateway</h1></html>", "Bad Gateway"))
    assert "non-JSON body '<html><h1>Bad Gateway</h1></html>'" in error.message and error.retryable


def test_429_carries_retry_after():
    assert http_error("GET", URL, Answer(429, b"{}", headers={"Retry-After": "7"})).retry_after == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None


def test_decode_answer_empty_body_json_and_not_json():
    assert decode_answer("POST", URL, Answer(204)) == {}
    assert decode_answer("GET", URL, Answer(200, b'{"a": 1}')) == {"a": 1}
    with pytest.raises(CckmError) as info:
        decode_answer("GET", URL, Answer(200, b"<html>login</html>"))
    assert "body is not JSON" in info.value.message and info.value.retryable


def test_reword_keeps_the_facts_and_redact_blanks_secrets():
    error = CckmError("first", status=400, code=7).reword("second with s3cr3t-value")
    assert (str(error), error.status, error.code) == ("second with s3cr3t-value", 400, 7)
    assert error.redact(["s3cr3t-value", None, "ab"]).message == "second with ********"


@pytest.mark.parametrize(
    "exc, words, retryable",
    [
        (
            requests.exceptions.SSLError(ssl.SSLCertVerificationError("certificate verify failed: unknown ca")),
            "set 'ca_cert'",
            False,
        ),
        (requests.exceptions.SSLError("EOF occurred in violation of protocol"), "Connection to cm.example.com failed", True),
        (requests.exceptions.ConnectTimeout("x"), "No connection to cm.example.com within request_timeout (5 s)", True),
        (requests.exceptions.ReadTimeout("x"), "did not answer GET", True),
        (requests.exceptions.ConnectionError("Name or service not known"), "Cannot resolve the host name", False),
        (requests.exceptions.ConnectionError("[Errno 111] Connection refused"), "refused: CM is not listening", True),
    ],
)
def test_transport_failures_say_what_happened(exc, words, retryable):
    error = transport_error("GET", URL, exc, 5)
    assert words in error.message and error.retryable is retryable


def verification_failure(code, text):
    """What requests raises when OpenSSL refuses CM's certificate (the SSLCertVerificationError as its cause)."""
    reason = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s (_ssl.c:1006)" % text
    )
    reason.verify_code, reason.verify_message = code, text
    exc = requests.exceptions.SSLError(reason)
    exc.__cause__ = reason
    return exc


UNKNOWN_ISSUER = verification_failure(20, "unable to get local issuer certificate")
PRESENTED = CertificateNames(issuer="CN=Corp Issuing CA, O=Corp", subject="CN=cm.example.com, O=Corp")


class Probe:
    """A stand-in for the client's unverified look at CM's certificate, counting its calls."""

    def __init__(self, names=None, fails=False):
        self.names, self.fails, self.calls = names, fails, 0

    def __call__(self):
        self.calls += 1
        if self.fails:
            raise OSError("connection reset")
        return self.names


def test_a_ca_cert_that_did_not_sign_cms_certificate_is_named_with_its_variable_and_the_issuer_cm_presented():
    error = transport_error(
        "GET", URL, UNKNOWN_ISSUER, 5, ca_cert="/etc/pki/corp.pem", ca_origin="CM_CA_CERT", presented=Probe(PRESENTED)
    )
    assert error.message == (
        "TLS verification of cm.example.com failed (certificate verify failed: unable to get local issuer certificate): "
        "the CA certificate given in ca_cert ('/etc/pki/corp.pem', from CM_CA_CERT) did not sign CM's certificate. CM "
        "presented a certificate issued by 'CN=Corp Issuing CA, O=Corp' (subject 'CN=cm.example.com, O=Corp'): set "
        "ca_cert to that issuer's CA certificate in PEM (or a bundle that holds it), or, knowingly, validate_certs: false."
    )
    assert not error.retryable and "set 'ca_cert'" not in error.message


def test_a_ca_cert_given_as_the_option_or_from_where_unknown_names_only_the_file():
    for origin in ("ca_cert", None):
        error = transport_error("GET", URL, UNKNOWN_ISSUER, 5, ca_cert="corp.pem", ca_origin=origin, presented=Probe(PRESENTED))
        assert "given in ca_cert ('corp.pem') did not sign CM's certificate" in error.message, error.message
    error = transport_error("GET", URL, UNKNOWN_ISSUER, 5, ca_cert="corp.pem", ca_origin="CIPHERTRUST_CA_CERT")
    assert "('corp.pem', from CIPHERTRUST_CA_CERT)" in error.message


def test_a_self_signed_certificate_is_said_to_be_one():
    self_signed = CertificateNames(issuer="CN=cm.example.com", subject="CN=cm.example.com")
    error = transport_error(
        "GET", URL, verification_failure(18, "self-signed certificate"), 5, ca_cert="corp.pem", presented=Probe(self_signed)
    )
    assert (
        "did not sign CM's certificate. CM presented a self-signed certificate, 'CN=cm.example.com': set ca_cert to "
        "that certificate itself in PEM" in error.message
    ), error.message


@pytest.mark.parametrize("probe", [Probe(None), Probe(fails=True), Probe(CertificateNames(issuer="", subject=""))])
def test_when_the_issuer_cannot_be_read_the_file_is_still_named_and_nothing_raises(probe):
    error = transport_error("GET", URL, UNKNOWN_ISSUER, 5, ca_cert="corp.pem", ca_origin="CM_CA_CERT", presented=probe)
    assert error.message.endswith(
        "the CA certificate given in ca_cert ('corp.pem', from CM_CA_CERT) did not sign CM's certificate: set ca_cert to "
        "the CA that signed it, in PEM (or a bundle that holds it), or, knowingly, validate_certs: false."
    ), error.message
    assert probe.calls == 1 and "presented" not in error.message


def test_without_ca_cert_the_advice_stays_and_names_the_issuer_when_known():
    error = transport_error("GET", URL, UNKNOWN_ISSUER, 5, presented=Probe(PRESENTED))
    assert "set 'ca_cert' (CM_CA_CERT) to the CA bundle that signed CM's certificate" in error.message
    assert "issued by 'CN=Corp Issuing CA, O=Corp'" in error.message and "validate_certs: false" in error.message
    assert "did not sign" not in error.message


def test_a_host_name_mismatch_or_an_expired_certificate_is_not_blamed_on_the_ca():
    probe = Probe(PRESENTED)
    mismatch = verification_failure(64, "IP address mismatch, certificate is not valid for 'cm.example.com'.")
    error = transport_error("GET", URL, mismatch, 5, ca_cert="corp.pem", presented=probe)
    assert "the certificate does not name 'cm.example.com'" in error.message and "did not sign" not in error.message
    for code, text, words in (
        (10, "certificate has expired", "has expired"),
        (9, "certificate is not yet valid", "is not valid yet"),
    ):
        error = transport_error("GET", URL, verification_failure(code, text), 5, ca_cert="corp.pem", presented=probe)
        assert "CM's certificate %s" % words in error.message and "this machine's clock" in error.message, error.message
        assert "ca_cert" not in error.message
    assert probe.calls == 0  # the CA is not in question: no extra connection
