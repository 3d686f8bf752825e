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
from typing import Any, Dict, List, NoReturn, Optional

from ansible.module_utils.basic import AnsibleModule, _load_params, env_fallback, missing_required_lib

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, TARGET_OPTIONS, Cloud, cloud_with_filter
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm import client as _client
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.connection import (
    CONNECTION_OPTIONS,
    connection_settings,
    given_as,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError

CONNECTION_ARGSPEC: Dict[str, Dict[str, Any]] = {
    name: dict(option.spec, fallback=(env_fallback, list(option.envs))) for name, option in CONNECTION_OPTIONS.items()
}

_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


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


def client_from_module(module: AnsibleModule, give_up_after: Optional[float] = None) -> _client.CckmClient:
    """Validate connection options, then build the client (no request is sent yet).

    ``give_up_after``: seconds after which no retry starts (a wait's timeout).
    """
    # AnsibleModule's fallback hides whether ca_cert came from the task or a variable; the task's own arguments tell.
    settings = connection_settings(module.params, ca_origin=given_as("ca_cert", _load_params(), os.environ))
    plain = [url for url in settings.urls if url.startswith("http://")]
    if plain:
        module.warn(
            "allow_http is true and address is %s: the password, refresh token and JWTs cross the "
            "network unencrypted. Use HTTPS unless a TLS tunnel carries this connection." % ", ".join(plain)
        )
    if settings.verify is False:
        module.warn(
            "validate_certs is false: the TLS certificate of %s is not checked, so anyone on the network "
            "path can read the credentials. Prefer ca_cert for a private CA." % ", ".join(settings.urls)
        )
        _silence_insecure_request_warning()
    return settings.client(on_retry=module.log, on_skip=module.warn, give_up_after=give_up_after)


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


def checked_targets(cloud: Cloud, params: Dict[str, Any]) -> List[str]:
    """The targets given for ``cloud`` (its target option), checked; a target option of another cloud is refused by name."""
    for option in TARGET_OPTIONS:
        if params.get(option) is None or option == cloud.target_option or (option == "regions" and cloud.regions):
            continue
        owners = ", ".join(c.name for c in CLOUDS.values() if c.target_option == option or (option == "regions" and c.regions))
        raise CckmInputError(
            option,
            "is a target of %s jobs, not of %s; the %s targets are %s." % (owners, cloud.name, cloud.name, cloud.target_option),
        )
    return validate_filter_values(cloud.target_option, params.get(cloud.target_option)) if params.get(cloud.target_option) else []


def checked_scope(cloud: Cloud, scope: Optional[str]) -> str:
    """``scope`` (or the cloud's default), refused by name when the cloud has no such scope."""
    scope = scope or cloud.default_scope
    if scope not in cloud.scopes:
        raise CckmInputError(
            "scope", "%r is not a scope of %s; choose one of: %s." % (scope, cloud.name, ", ".join(sorted(cloud.scopes)))
        )
    return scope


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
