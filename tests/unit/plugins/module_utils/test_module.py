import pytest
import yaml

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.connection import base_url, credentials_from_params
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.module import validate_job_id, validate_paging


@pytest.mark.parametrize(
    "address, expected",
    [
        ("cm.example.com", "https://cm.example.com"),
        ("cm.example.com:8443", "https://cm.example.com:8443"),
        ("https://cm.example.com/", "https://cm.example.com"),
        ("HTTPS://10.0.0.5:443", "https://10.0.0.5:443"),
        ("[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_addresses_accepted(address, expected):
    assert base_url(address) == expected


def test_http_only_when_allowed():
    assert base_url("http://cm.lab:8080", allow_http=True) == "http://cm.lab:8080"
    assert base_url("cm.lab", allow_http=True) == "https://cm.lab"  # allowing http never downgrades
    with pytest.raises(CckmInputError):
        base_url("http://cm.lab/api", allow_http=True)


@pytest.mark.parametrize(
    "address, words",
    [
        ("", "is required"),
        ("   ", "is required"),
        ("http://cm.example.com", "allow_http: true"),
        ("ftp://cm", "only https://"),
        ("https://cm.example.com/api", "without a path"),
        ("cm.example.com?x=1", "without a path, query"),
        ("cm.example.com:99999", "not a valid host[:port]"),
        ("user@cm", "user"),
    ],
)
def test_addresses_refused_name_the_option(address, words):
    with pytest.raises(CckmInputError) as info:
        base_url(address)
    assert info.value.option == "address" and info.value.message.startswith("address: ") and words in info.value.message


@pytest.mark.parametrize("job_id", ["a b", "../etc", "x/y", "", "id?x=1", "a..b", "%2e%2e"])
def test_job_ids_that_could_escape_the_path_are_refused(job_id):
    with pytest.raises(CckmInputError) as info:
        validate_job_id("id", job_id)
    assert info.value.message.startswith("id: ")


def test_uuid_ids_pass():
    assert validate_job_id("id", " 0ea5d52e-387c-44fa-b079-21c8b768f77b ") == "0ea5d52e-387c-44fa-b079-21c8b768f77b"


@pytest.mark.parametrize(
    "params, option",
    [({"limit": 0, "skip": 0}, "limit"), ({"limit": -1, "skip": 0}, "limit"), ({"limit": None, "skip": -2}, "skip")],
)
def test_paging_bounds(params, option):
    with pytest.raises(CckmInputError) as info:
        validate_paging(params)
    assert info.value.option == option


@pytest.mark.parametrize(
    "params, option",
    [({"password": "p"}, "username"), ({"username": "u"}, "password"), ({}, "password")],
)
def test_credentials_combinations(params, option):
    with pytest.raises(CckmInputError) as info:
        credentials_from_params(params)
    assert info.value.option == option
    assert "p" not in info.value.message.split(":")[0][len(option) :]


def test_every_connection_option_documents_its_variables_in_the_order_they_are_read():
    """The doc fragment and the event source say which variables each option falls back to, CM_* first."""
    import os
    import re

    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.connection import CONNECTION_OPTIONS
    from tests.doc_strings import string_constants

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
    docs = {}
    for path, name in (
        ("plugins/doc_fragments/cckm.py", "DOCUMENTATION"),
        ("extensions/eda/plugins/event_source/sync_jobs.py", "DOCUMENTATION"),
    ):
        with open(os.path.join(root, path)) as handle:
            docs[path] = yaml.safe_load(string_constants(handle.read())[name])["options"]
    for path, options in docs.items():
        for name, option in CONNECTION_OPTIONS.items():
            text = (
                " ".join(options[name]["description"])
                if isinstance(options[name]["description"], list)
                else options[name]["description"]
            )
            named = re.findall(r"E\(((?:CM|CIPHERTRUST)_[A-Z_]+)\)", text)
            assert list(dict.fromkeys(named)) == list(option.envs), (path, name, named)


def test_given_as_names_the_tasks_option_else_the_variable_it_fell_back_to():
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.connection import given_as

    assert given_as("ca_cert", {"ca_cert": "a.pem"}, {"CM_CA_CERT": "b.pem"}) == "ca_cert"
    assert given_as("ca_cert", {"ca_cert": None}, {"CIPHERTRUST_CA_CERT": "b", "CM_CA_CERT": "c"}) == "CM_CA_CERT"
    assert given_as("ca_cert", {}, {"CIPHERTRUST_CA_CERT": "b.pem"}) == "CIPHERTRUST_CA_CERT"
    assert given_as("ca_cert", {}, {}) is None
    assert given_as("address", {"host": "cm"}, {"CM_ADDRESS": "other"}) == "address"  # an alias is the option


def test_the_client_knows_where_its_ca_bundle_was_given_for_modules_and_the_event_source(tmp_path):
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.connection import connection_settings
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import SourceConfig

    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    args = {"address": "cm.example.com", "username": "u", "password": "p", "cloud": "aws"}
    config = SourceConfig.from_args(args, {"CIPHERTRUST_CA_CERT": str(bundle)})
    assert config.settings.ca_origin == "CIPHERTRUST_CA_CERT" and config.settings.client().ca_origin == "CIPHERTRUST_CA_CERT"
    assert SourceConfig.from_args(dict(args, ca_cert=str(bundle)), {"CM_CA_CERT": "x"}).settings.ca_origin == "ca_cert"
    params = {"address": "cm.example.com", "username": "u", "password": "p", "request_timeout": 30.0}
    assert connection_settings(dict(params, validate_certs=False), ca_origin="CM_CA_CERT").ca_origin is None  # no bundle
