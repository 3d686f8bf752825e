# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and main of ``sync_status``: check the options, read the fleet, report, apply ``fail_when``.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.times import duration_seconds
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import (
    DEFAULT_MAX_AGE,
    DISCOVERED,
    FAIL_WHEN_CHOICES,
    SEEN,
    FleetQuery,
    fleet_status,
    offenders_message,
    scopes_for,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.module import (
    client_from_module,
    connection_argspec,
    fail_from_error,
    new_module,
)


def status_argspec() -> Dict[str, Dict[str, Any]]:
    spec = connection_argspec()
    spec.update(
        clouds={"type": "list", "elements": "str", "choices": sorted(CLOUDS)},
        scopes={"type": "list", "elements": "str"},
        max_age={"type": "raw", "default": DEFAULT_MAX_AGE},
        targets={"type": "str", "default": DISCOVERED, "choices": [DISCOVERED, SEEN]},
        fail_when={"type": "list", "elements": "str", "default": [], "choices": list(FAIL_WHEN_CHOICES)},
    )
    return spec


def checked_query(params: Dict[str, Any]) -> FleetQuery:
    """The fleet to read, or a CckmInputError naming the option (before any request)."""
    max_age = duration_seconds(params["max_age"])
    if max_age is None:
        raise CckmInputError(
            "max_age",
            "%r is not a duration: give a number with a unit, s, m, h or d (24h, 90m, 7d, 1d12h), or a number of "
            "seconds." % (params["max_age"],),
        )
    if max_age <= 0:
        raise CckmInputError(
            "max_age",
            "must be more than 0, got %r: give a duration such as 24h, 90m or 2d, or a number of seconds." % (params["max_age"],),
        )
    clouds: Optional[List[str]] = params.get("clouds") or None
    scopes: Optional[List[str]] = params.get("scopes") or None
    if scopes:
        offered = sorted({scope for name in clouds or list(CLOUDS) for scope in CLOUDS[name].scopes})
        unknown = [scope for scope in scopes if scope not in offered]
        if unknown:
            raise CckmInputError(
                "scopes",
                "%s is not a scope of %s; choose from: %s."
                % (", ".join(unknown), ", ".join(clouds) if clouds else "any cloud", ", ".join(offered)),
            )
    return FleetQuery(scopes_for(clouds, scopes), max_age, params["targets"])


def run_status_module() -> None:
    module = new_module(status_argspec())
    params = module.params
    try:
        query = checked_query(params)
        status = fleet_status(client_from_module(module), query)
    except CckmError as error:
        fail_from_error(module, error, targets=[], counts={}, scopes=[], in_sync=False)
    for warning in status.pop("warnings"):
        module.warn(warning)
    message = offenders_message(status, params["fail_when"])
    if message:
        module.fail_json(msg=message, changed=False, **status)
    module.exit_json(changed=False, **status)
