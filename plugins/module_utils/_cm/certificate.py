# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whose certificate CM presented: an unverified look at it, and its issuer and subject read from the DER.

Internal to ciphertrust.cckm: not a public API, may change without notice.

When TLS verification fails because no CA the user gave signed CM's certificate, the message names the issuer CM
presented, so the user knows which CA to look for. Modules run with only ``requests`` (no ``cryptography``), so a
small DER reader here walks just as far into the certificate as the issuer and subject names. Nothing here raises:
a certificate that cannot be fetched or read is simply not named (``None``).
"""

from __future__ import annotations

import socket
import ssl
from typing import Iterator, List, NamedTuple, Optional, Tuple
from urllib.parse import urlsplit

_SEQUENCE, _SET, _OID, _VERSION = 0x30, 0x31, 0x06, 0xA0

_ATTRIBUTES = {
    "2.5.4.3": "CN",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.9": "STREET",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "0.9.2342.19200300.100.1.1": "UID",
    "0.9.2342.19200300.100.1.25": "DC",
    "1.2.840.113549.1.9.1": "emailAddress",
}
"""RFC 4514's short names (and the e-mail attribute older CAs still put in names); others print as dotted OIDs."""

_TEXT_ENCODINGS = {
    0x0C: "utf-8",  # UTF8String
    0x12: "ascii",  # NumericString
    0x13: "ascii",  # PrintableString
    0x14: "latin-1",  # TeletexString: in practice Latin-1
    0x16: "ascii",  # IA5String
    0x1A: "ascii",  # VisibleString
    0x1C: "utf-32-be",  # UniversalString
    0x1E: "utf-16-be",  # BMPString
}

MAX_NAME = 300
"""Characters of a name kept in a message: a certificate is the server's to write."""


class CertificateNames(NamedTuple):
    """A certificate's issuer and subject as RFC 4514 text, most specific first (``CN=cm.example.com, O=Example``)."""

    issuer: str
    subject: str

    @property
    def self_signed(self) -> bool:
        """Issued by itself (RFC 5280's self-issued: the same name twice), so it is its own CA."""
        return bool(self.subject) and self.issuer == self.subject


def presented_names(base_url: str, timeout: float) -> Optional[CertificateNames]:
    """The names in the certificate the server at ``base_url`` presents, read without verifying it, or None.

    One direct connection (no proxy) that sends nothing but the handshake; any failure means None.
    """
    try:
        parts = urlsplit(base_url)
        host, port = parts.hostname, parts.port or 443
        if not host:
            return None
        context = ssl.create_default_context()
        context.check_hostname = False  # the point is to see the certificate that failed verification
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
    except Exception:  # a look that fails only leaves the issuer unnamed
        return None
    return certificate_names(der) if der else None


def certificate_names(der: Optional[bytes]) -> Optional[CertificateNames]:
    """The issuer and subject of a DER X.509 certificate, or None when ``der`` is not one."""
    if not isinstance(der, (bytes, bytearray)):
        return None
    data = bytes(der)
    try:
        tag, start, end = _element(data, 0, len(data))
        if tag != _SEQUENCE or end != len(data):
            return None
        tag, start, end = _element(data, start, end)  # tbsCertificate
        if tag != _SEQUENCE:
            return None
        fields = [field[1:] for field in _children(data, start, end)]  # (tag, start, end) each
        if fields and fields[0][0] == _VERSION:
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, subject, ...
        if len(fields) < 5 or fields[2][0] != _SEQUENCE or fields[4][0] != _SEQUENCE:
            return None
        return CertificateNames(_name(data, *fields[2][1:]), _name(data, *fields[4][1:]))
    except (ValueError, TypeError, IndexError):  # not DER, not a certificate: the issuer is not named
        return None


def _element(data: bytes, offset: int, limit: int) -> Tuple[int, int, int]:
    """``(tag, start, end)`` of the DER element at ``offset``, its content being ``data[start:end]`` within ``limit``."""
    if offset + 2 > limit:
        raise ValueError("truncated")
    tag, length = data[offset], data[offset + 1]
    if tag & 0x1F == 0x1F:
        raise ValueError("high tag numbers do not occur in the names")
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or start + count > limit:  # 0: BER's indefinite length, which DER forbids
            raise ValueError("bad length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    if start + length > limit:
        raise ValueError("truncated")
    return tag, start, start + length


def _children(data: bytes, start: int, end: int) -> Iterator[Tuple[int, int, int, int]]:
    """``(offset, tag, start, end)`` of each element inside ``data[start:end]``, which they must fill exactly."""
    offset = start
    while offset < end:
        tag, content_start, content_end = _element(data, offset, end)
        yield offset, tag, content_start, content_end
        offset = content_end


def _name(data: bytes, start: int, end: int) -> str:
    """A Name (a SEQUENCE of RDN SETs) as RFC 4514 text: the last RDN first, an RDN's values joined by ``+``."""
    rdns: List[str] = []
    for _offset, tag, rdn_start, rdn_end in _children(data, start, end):
        if tag != _SET:
            raise ValueError("not a relative distinguished name")
        values = []
        for _pair_offset, pair_tag, pair_start, pair_end in _children(data, rdn_start, rdn_end):
            pair = list(_children(data, pair_start, pair_end))
            if pair_tag != _SEQUENCE or len(pair) != 2 or pair[0][1] != _OID:
                raise ValueError("not an attribute")
            oid = _oid(data[pair[0][2] : pair[0][3]])
            values.append("%s=%s" % (_ATTRIBUTES.get(oid, oid), _value(data, *pair[1])))
        rdns.append("+".join(values))
    text = ", ".join(reversed(rdns))
    return text if len(text) <= MAX_NAME else text[: MAX_NAME - 3] + "..."


def _oid(content: bytes) -> str:
    if not content or content[-1] & 0x80:
        raise ValueError("bad object identifier")
    numbers, current = [], 0
    for byte in content:
        current = (current << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(current)
            current = 0
    first = min(numbers[0] // 40, 2)
    return ".".join(str(number) for number in [first, numbers[0] - 40 * first] + numbers[1:])


def _value(data: bytes, offset: int, tag: int, start: int, end: int) -> str:
    """An attribute's value: a string type decoded and escaped; anything else ``#`` and its DER in hex (RFC 4514)."""
    encoding = _TEXT_ENCODINGS.get(tag)
    if encoding is None:
        return "#" + data[offset:end].hex()
    return _escape(data[start:end].decode(encoding, "replace"))  # a wrong byte must not hide the rest


def _escape(text: str) -> str:
    """RFC 4514's escapes, and every unprintable character as ``\\XX`` per UTF-8 byte (no line break reaches a message)."""
    out = []
    for index, char in enumerate(text):
        if char in ',+"\\<>;' or (char in " #" and index == 0) or (char == " " and index == len(text) - 1):
            out.append("\\" + char)
        elif not char.isprintable():
            out.append("".join("\\%02X" % byte for byte in char.encode("utf-8", "replace")))
        else:
            out.append(char)
    return "".join(out)
