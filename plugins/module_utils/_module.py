# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every ciphertrust.cckm module shares: the connection options and their checks, the client
factory, the validators of common options, and the one way to fail.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

import copy
import os
import re
from typing import Any, Dict, NoReturn, Optional

from ansible.module_utils.basic import AnsibleModule, _load_params, env_fallback, missing_required_lib

from ansible_collections.ciphertrust.cckm.plugins.module_utils import _client
from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import Cloud, cloud_with_filter
from ansible_collections.ciphertrust.cckm.plugins.module_utils._errors import CckmError, CckmInputError

CONNECTION_ARGSPEC: Dict[str, Dict[str, Any]] = {
    "address": {"type": "str", "aliases": ["host"], "fallback": (env_fallback, ["CM_ADDRESS"])},
    "username": {"type": "str", "fallback": (env_fallback, ["CM_USERNAME"])},
    "password": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CM_PASSWORD"])},
    "domain": {"type": "str", "fallback": (env_fallback, ["CM_DOMAIN"])},
    "auth_domain": {"type": "str", "fallback": (env_fallback, ["CM_AUTH_DOMAIN"])},
    "refresh_token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CM_REFRESH_TOKEN"])},
    "token": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CM_TOKEN"])},
    "allow_http": {"type": "bool", "default": False, "fallback": (env_fallback, ["CM_ALLOW_HTTP"])},
    "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["CM_VALIDATE_CERTS"])},
    "ca_cert": {"type": "path", "fallback": (env_fallback, ["CM_CA_CERT"])},
    "request_timeout": {"type": "float", "default": 30.0, "fallback": (env_fallback, ["CM_REQUEST_TIMEOUT"])},
}

_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
_HOST_PORT = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(:(\d{1,5}))?$")


def connection_argspec() -> Dict[str, Dict[str, Any]]:
    """A fresh copy of the connection options, for a module to extend."""
    return copy.deepcopy(CONNECTION_ARGSPEC)


def new_module(argument_spec: Dict[str, Any], **kwargs: Any) -> AnsibleModule:
    """An AnsibleModule that supports check mode and fails early without requests."""
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **kwargs)
    misplaced = structures_in_text_options(argument_spec, _load_params())
    if misplaced:
        module.fail_json(msg=misplaced)
    if _client.requests is None:
        module.fail_json(msg=missing_required_lib("requests"))
    return module


def structures_in_text_options(argument_spec: Dict[str, Any], given: Dict[str, Any]) -> Optional[str]:
    """A message when a text option (or a list of texts) was given a list or mapping.

    Ansible would turn ``username: [a]`` into the text ``"['a']"`` and the module would then send
    it to CM; refusing it names the option before any request instead.
    """
    for name, option in argument_spec.items():
        kind = option.get("type", "str")
        for key in [name] + list(option.get("aliases", [])):
            value = given.get(key)
            if kind in ("str", "path") and isinstance(value, (dict, list)):
                return "%s: expected a text value, got a %s." % (key, "mapping" if isinstance(value, dict) else "list")
            if kind == "list" and option.get("elements") in ("str", "path") and isinstance(value, list):
                if any(isinstance(item, (dict, list)) for item in value):
                    return "%s: expected a list of text values, got a list holding a list or mapping." % key
    return None


def base_url(address: Optional[str], allow_http: bool = False) -> str:
    """``https://host[:port]`` from ``address``: a host, host:port or an https:// URL with no path.

    ``http://`` is refused unless ``allow_http`` is true (the module then warns).
    """
    if not address or not address.strip():
        raise CckmInputError(
            "address",
            "is required: the host name or IP of CipherTrust Manager "
            "(option 'address' or CM_ADDRESS), e.g. cm.example.com or cm.example.com:8443.",
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
    if not params["validate_certs"]:
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


def client_from_module(module: AnsibleModule, give_up_after: Optional[float] = None) -> _client.CckmClient:
    """Validate connection options, then build the client (no request is sent yet).

    ``give_up_after``: seconds after which no retry starts (a wait's timeout).
    """
    params = module.params
    url = base_url(params.get("address"), params["allow_http"])
    if url.startswith("http://"):
        module.warn(
            "allow_http is true and address is %s: the password, refresh token and JWTs cross the "
            "network unencrypted. Use HTTPS unless a TLS tunnel carries this connection." % url
        )
    timeout = params["request_timeout"]
    if not timeout or timeout <= 0:
        raise CckmInputError("request_timeout", "must be a number of seconds greater than 0, got %r." % timeout)
    verify = _verify(params)
    credentials = credentials_from_params(params)
    if verify is False:
        module.warn(
            "validate_certs is false: the TLS certificate of %s is not checked, so anyone on the network "
            "path can read the credentials. Prefer ca_cert for a private CA." % url
        )
        _silence_insecure_request_warning()
    return _client.CckmClient(
        url, credentials, verify=verify, request_timeout=timeout, on_retry=module.log, give_up_after=give_up_after
    )


def _silence_insecure_request_warning() -> None:
    try:
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    except Exception:  # the module already warned once, in plain words
        pass


def validate_job_id(option: str, job_id: str) -> str:
    """A job id safe to put in a URL path (no spaces, slashes or '..')."""
    text = str(job_id).strip()
    if not _JOB_ID.match(text) or ".." in text:
        raise CckmInputError(
            option,
            "%r is not a synchronization job id: ids are like "
            "0ea5d52e-387c-44fa-b079-21c8b768f77b (letters, digits, '-', '_', '.', ':')." % job_id,
        )
    return text


def validate_paging(params: Dict[str, Any]) -> None:
    if params.get("limit") is not None and params["limit"] < 1:
        raise CckmInputError("limit", "must be 1 or more, got %d; leave it unset to get all matching jobs." % params["limit"])
    if params.get("skip") is not None and params["skip"] < 0:
        raise CckmInputError("skip", "must be 0 or more, got %d." % params["skip"])


def validate_filter_values(option: str, values: Optional[list]) -> list:
    cleaned = [str(v).strip() for v in (values or [])]
    if any(not v for v in cleaned):
        raise CckmInputError(option, "has an empty value; list names or ids, e.g. %s: [name1, name2]." % option)
    return cleaned


def misplaced_filter_message(option: str, cloud: Cloud) -> str:
    owners = ", ".join(cloud_with_filter(option))
    allowed = cloud.filter_option or "none (this cloud's jobs have no scope filter)"
    return "is a filter of %s jobs, not of %s; the %s filter is %s." % (owners, cloud.name, cloud.name, allowed)


def fail_from_error(module: AnsibleModule, error: CckmError, **result: Any) -> NoReturn:
    """The one way a module fails: the message, the facts, and whatever result it had so far."""
    facts = error.details()
    if facts:
        result.setdefault("error", facts)
    module.fail_json(msg=error.message, **result)
