"""The DER reader of _cm.certificate against certificates trustme makes, cryptography as the oracle, and garbage."""

import datetime
import random
import socket
import ssl

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.certificate import (
    CertificateNames,
    certificate_names,
    presented_names,
)


def der_of(pem: bytes) -> bytes:
    return ssl.PEM_cert_to_DER_cert(pem.decode())


def oracle(name: x509.Name) -> str:
    """cryptography's RFC 4514 text with a space after each RDN's comma (the values here hold no comma)."""
    return name.rfc4514_string().replace(",", ", ")


@pytest.fixture(scope="module")
def ca():
    return trustme.CA(organization_name="Example Corp", organization_unit_name="Issuing CA")


def test_a_leaf_names_its_issuer_and_subject_most_specific_first(ca):
    leaf = ca.issue_cert(
        "cm.example.test", common_name="cm.example.test", organization_name="Example Corp", organization_unit_name="Servers"
    )
    pem = leaf.cert_chain_pems[0].bytes()
    names = certificate_names(der_of(pem))
    assert names == CertificateNames(
        issuer="OU=Issuing CA, O=Example Corp", subject="CN=cm.example.test, OU=Servers, O=Example Corp"
    )
    parsed = x509.load_pem_x509_certificate(pem)
    assert (names.issuer, names.subject) == (oracle(parsed.issuer), oracle(parsed.subject))
    assert not names.self_signed


def test_a_root_is_self_signed_and_an_intermediate_names_its_root(ca):
    root = certificate_names(der_of(ca.cert_pem.bytes()))
    assert root.issuer == root.subject == "OU=Issuing CA, O=Example Corp" and root.self_signed
    child = ca.create_child_ca()
    leaf = child.issue_cert("cm.example.test", common_name="CM node 1")
    names = certificate_names(der_of(leaf.cert_chain_pems[0].bytes()))
    assert names.issuer == oracle(x509.load_pem_x509_certificate(child.cert_pem.bytes()).subject)
    assert names.subject.startswith("CN=CM node 1, OU=Testing cert #")


def test_certificates_of_other_key_types_and_default_names_read_like_cryptography_reads_them():
    for key_type in (trustme.KeyType.RSA, trustme.KeyType.ECDSA):
        other = trustme.CA(key_type=key_type)
        pem = other.issue_cert("127.0.0.1", "localhost").cert_chain_pems[0].bytes()
        parsed = x509.load_pem_x509_certificate(pem)
        assert certificate_names(der_of(pem)) == (oracle(parsed.issuer), oracle(parsed.subject))


def test_special_and_unprintable_characters_are_escaped_and_unicode_kept():
    other = trustme.CA(organization_name='Acme, Inc. + "Ops"', organization_unit_name="Société\nGénérale")
    names = certificate_names(der_of(other.cert_pem.bytes()))
    assert names.subject == 'OU=Société\\0AGénérale, O=Acme\\, Inc. \\+ \\"Ops\\"'
    assert "\n" not in names.subject


def self_signed(name):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
    builder = builder.serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_every_string_type_multi_valued_rdns_and_unknown_attributes_read_like_cryptography_reads_them():
    name = x509.Name(
        [
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "example")]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Grüne GmbH", _ASN1Type.BMPString)]),
            x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.LOCALITY_NAME, "Köln", _ASN1Type.UniversalString)]),
            x509.RelativeDistinguishedName(
                [x509.NameAttribute(NameOID.COMMON_NAME, "cm"), x509.NameAttribute(NameOID.SERIAL_NUMBER, "42")]
            ),
            x509.RelativeDistinguishedName([x509.NameAttribute(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), "custom")]),
        ]
    )
    names = certificate_names(self_signed(name))
    assert names.subject == "1.3.6.1.4.1.99999.1=custom, CN=cm+serialNumber=42, L=Köln, O=Grüne GmbH, DC=example, C=DE"
    assert names.subject == oracle(name).replace("2.5.4.5=", "serialNumber=") and names.self_signed


def test_a_value_of_no_string_type_is_its_der_in_hex_as_rfc_4514_says():
    name = x509.Name([x509.NameAttribute(x509.ObjectIdentifier("2.5.4.45"), b"\x01\x02", _ASN1Type.BitString)])
    assert certificate_names(self_signed(name)).subject == "2.5.4.45=#03020102"  # tag, length, content


@pytest.mark.parametrize(
    "garbage",
    [b"", b"garbage", b"\x30", b"\x30\x80\x00\x00", b"\x30\x84\xff\xff\xff\xff", b"\x30\x03\x02\x01\x00", b"\x1f\xff\xff"],
)
def test_garbage_is_none_not_an_exception(garbage):
    assert certificate_names(garbage) is None


def test_every_truncation_and_every_flipped_byte_of_a_certificate_is_none_or_names(ca):
    der = der_of(ca.issue_cert("cm.example.test").cert_chain_pems[0].bytes())
    for end in range(len(der)):
        assert certificate_names(der[:end]) is None
    rng = random.Random(7)
    for _flip in range(2000):
        spoilt = bytearray(der)
        spoilt[rng.randrange(len(der))] = rng.randrange(256)
        result = certificate_names(bytes(spoilt))
        assert result is None or isinstance(result, CertificateNames)
    assert certificate_names(bytes(rng.randrange(256) for _byte in range(4096))) is None
    assert certificate_names(None) is None  # never raises, whatever it is given


def test_presented_names_reads_the_simulators_certificate_without_trusting_it(sim):
    names = presented_names("https://" + sim.address, 5.0)
    parsed = x509.load_pem_x509_certificate(sim.cert.cert_chain_pems[0].bytes())
    assert names == (oracle(parsed.issuer), oracle(parsed.subject))


def test_presented_names_is_none_when_nothing_answers_or_the_address_is_bad():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    assert presented_names("https://127.0.0.1:%d" % port, 2.0) is None
    assert presented_names("https://127.0.0.1:99999", 2.0) is None
    assert presented_names("not a url", 2.0) is None
