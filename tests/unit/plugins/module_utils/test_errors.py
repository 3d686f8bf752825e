"""Turning CM answers and transport failures into messages: pure functions, no server."""

import ssl

import pytest
import requests

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
