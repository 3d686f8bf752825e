# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options (names, types, CM_* variables) and their checks, without Ansible.

Internal to ciphertrust.cckm: not a public API, may change without notice.
Modules read the options through ``_mains.module`` (argspec, env fallbacks); the event source reads the
same names and variables from its args here. Every check runs before any request.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Mapping, NamedTuple, Optional, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm import client as _client
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmInputError


class Option(NamedTuple):
    spec: Dict[str, Any]
    """The AnsibleModule argument spec of the option (without its fallback)."""
    envs: Tuple[str, ...]
    """The environment variables it falls back to, in order: ``CM_*`` (the vendor's Terraform provider's 0.x names),
    then ``CIPHERTRUST_*`` (its current names), where the provider has one."""

    @property
    def env(self) -> str:
        """The collection's own variable, ``CM_*``."""
        return self.envs[0]


def _vendor(name: str) -> Tuple[str, str]:
    return ("CM_" + name, "CIPHERTRUST_" + name)


CONNECTION_OPTIONS: Dict[str, Option] = {
    "address": Option({"type": "list", "elements": "str", "aliases": ["host"]}, _vendor("ADDRESS")),
    "username": Option({"type": "str"}, _vendor("USERNAME")),
    "password": Option({"type": "str", "no_log": True}, _vendor("PASSWORD")),
    "domain": Option({"type": "str"}, _vendor("DOMAIN")),
    "auth_domain": Option({"type": "str"}, _vendor("AUTH_DOMAIN")),
    "refresh_token": Option({"type": "str", "no_log": True}, ("CM_REFRESH_TOKEN",)),
    "token": Option({"type": "str", "no_log": True}, ("CM_TOKEN",)),
    "allow_http": Option({"type": "bool", "default": False}, ("CM_ALLOW_HTTP",)),
    "validate_certs": Option({"type": "bool", "default": True}, ("CM_VALIDATE_CERTS",)),
    "ca_cert": Option({"type": "path"}, _vendor("CA_CERT")),
    "request_timeout": Option({"type": "float", "default": 30.0}, ("CM_REQUEST_TIMEOUT",)),
}


def from_environment(option: Option, environ: Mapping[str, str]) -> Optional[str]:
    """The option's value from the first of its variables that is set (``CM_*`` wins over ``CIPHERTRUST_*``)."""
    for name in option.envs:
        if environ.get(name) is not None:
            return environ[name]
    return None


_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:(\d{1,5}))?$")


class ConnectionSettings(NamedTuple):
    """Checked connection options, ready to build the client from."""

    urls: Tuple[str, ...]
    """One URL a node (one for a single CM or a load balancer)."""
    verify: Any
    credentials: _client.Credentials
    request_timeout: float
    ca_origin: Optional[str] = None
    """Where ``ca_cert`` was given (see ``given_as``), for a TLS error to name."""

    def client(self, **kwargs: Any) -> _client.CckmClient:
        return _client.CckmClient(
            list(self.urls),
            self.credentials,
            verify=self.verify,
            request_timeout=self.request_timeout,
            ca_origin=self.ca_origin,
            **kwargs,
        )


def connection_settings(params: Dict[str, Any], ca_origin: Optional[str] = None) -> ConnectionSettings:
    """Check address, TLS, timeout and credentials (before any request) and return them.

    ``ca_origin``: where ``ca_cert`` was given (``given_as``), named when it did not sign CM's certificate.
    """
    urls = base_urls(params.get("address"), bool(params.get("allow_http")))
    timeout = params.get("request_timeout")
    if not timeout or timeout <= 0:
        raise CckmInputError("request_timeout", "must be a number of seconds greater than 0, got %r." % timeout)
    verify = _verify(params)
    origin = ca_origin if isinstance(verify, str) else None
    return ConnectionSettings(urls, verify, credentials_from_params(params), float(timeout), origin)


def given_as(name: str, given: Mapping[str, Any], environ: Mapping[str, str]) -> Optional[str]:
    """Where a connection option's value came from: its own name (or an alias) when ``given`` holds it, else the
    variable it fell back to (``CM_*`` before ``CIPHERTRUST_*``), else None."""
    option = CONNECTION_OPTIONS[name]
    if any(given.get(key) is not None for key in [name] + list(option.spec.get("aliases", []))):
        return name
    for variable in option.envs:
        if environ.get(variable) is not None:
            return variable
    return None


def base_urls(address: Any, allow_http: bool = False) -> Tuple[str, ...]:
    """Every node's ``https://host[:port]``: ``address`` is one, a list, or comma-separated text, each checked."""
    if isinstance(address, (list, tuple)):
        given = [str(part) for part in address]
    else:
        given = [str(address)] if address is not None else []
    parts = [part.strip() for text in given for part in text.split(",")]
    if not any(parts):
        return (base_url(None, allow_http),)  # says address is required
    if not all(parts):
        raise CckmInputError(
            "address", "%r has an empty node; list the nodes as host[:port], comma-separated or as a list." % (address,)
        )
    urls = tuple(base_url(part, allow_http) for part in parts)
    if len(set(urls)) != len(urls):
        raise CckmInputError("address", "%r names a node twice; list each node of the cluster once." % (address,))
    return urls


def base_url(address: Optional[str], allow_http: bool = False) -> str:
    """``https://host[:port]`` from ``address``: a host, host:port or an https:// URL with no path.

    ``http://`` is refused unless ``allow_http`` is true (the module then warns).
    """
    if not address or not address.strip():
        raise CckmInputError(
            "address",
            "is required: the host name or IP of CipherTrust Manager, or of each node of a cluster "
            "(option 'address', CM_ADDRESS or CIPHERTRUST_ADDRESS), e.g. cm.example.com, cm.example.com:8443 or "
            "cm1.example.com,cm2.example.com.",
        )
    text = address.strip()
    scheme = "https"
    if "://" in text:
        scheme, text = text.split("://", 1)
        scheme = scheme.lower()
        if scheme == "http" and not allow_http:
            raise CckmInputError(
                "address",
                "%r uses http://, which would send the password and tokens in clear text; "
                "CipherTrust Manager serves its API over HTTPS. Use https:// or the bare host, or set "
                "allow_http: true (CM_ALLOW_HTTP) knowingly, e.g. behind a TLS-terminating tunnel." % address,
            )
        if scheme not in ("http", "https"):
            raise CckmInputError("address", "%r: only https:// is supported." % address)
    text = text.rstrip("/")
    if any(ch in text for ch in "/?#@ "):
        raise CckmInputError(
            "address",
            "%r must be only a host and an optional port (cm.example.com:8443), "
            "without a path, query, user or spaces; the collection adds /api itself." % address,
        )
    match = _HOST_PORT.match(text)
    if not match or (match.group(3) and not 0 < int(match.group(3)) < 65536):
        raise CckmInputError("address", "%r is not a valid host[:port]." % address)
    return "%s://%s" % (scheme, text)


def _verify(params: Dict[str, Any]) -> Any:
    if not params.get("validate_certs", True):
        return False
    ca_cert = params.get("ca_cert")
    if ca_cert:
        if not os.path.isfile(ca_cert) or not os.access(ca_cert, os.R_OK):
            raise CckmInputError("ca_cert", "%r is not a readable file; give the path of a PEM CA bundle." % ca_cert)
        if not _holds_pem_certificate(ca_cert):
            raise CckmInputError(
                "ca_cert",
                "%r holds no PEM certificate (no '-----BEGIN CERTIFICATE-----' line); give the CA bundle that "
                "signed CM's certificate, in PEM form." % ca_cert,
            )
        return ca_cert
    return True


def _holds_pem_certificate(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return b"-----BEGIN CERTIFICATE-----" in handle.read(4 * 1024 * 1024)
    except OSError:
        return False


def credentials_from_params(params: Dict[str, Any]) -> _client.Credentials:
    """The credentials given, checked for a usable combination (before any request)."""
    if params.get("password") and not params.get("username"):
        raise CckmInputError("username", "is required with password (or CM_USERNAME).")
    if params.get("username") and not (params.get("password") or params.get("refresh_token") or params.get("token")):
        raise CckmInputError(
            "password",
            "is required with username %r (or CM_PASSWORD), unless refresh_token or token is given." % params["username"],
        )
    if not (params.get("password") or params.get("refresh_token") or params.get("token")):
        raise CckmInputError(
            "password",
            "no credentials: give username and password (CM_USERNAME, CM_PASSWORD), "
            "refresh_token (CM_REFRESH_TOKEN) or token (CM_TOKEN).",
        )
    return _client.Credentials(
        username=params.get("username"),
        password=params.get("password"),
        domain=params.get("domain"),
        auth_domain=params.get("auth_domain"),
        refresh_token=params.get("refresh_token"),
        token=params.get("token"),
    )
