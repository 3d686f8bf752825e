# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and main of every ``<cloud>_sync_job_info`` module.

Internal to ciphertrust.cckm: not a public API, may change without notice.
"""

from __future__ import annotations

from typing import Any, Dict

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError, CckmInputError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery, find_jobs, valid_sort
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    STATES,
    STATUS_FILTER_SPELLINGS,
    summarize_states,
    unknown_status_warnings,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.module import (
    client_from_module,
    connection_argspec,
    fail_from_error,
    new_module,
    validate_filter_values,
    validate_job_id,
    validate_paging,
)


def info_argspec(cloud: Cloud) -> Dict[str, Dict[str, Any]]:
    """Options of ``<cloud>_sync_job_info``: connection, id, status, the cloud's scope filter, paging."""
    spec = connection_argspec()
    spec.update(
        id={"type": "str"},
        overall_status={"type": "str", "choices": sorted(STATUS_FILTER_SPELLINGS)},
        limit={"type": "int"},
        skip={"type": "int", "default": 0},
        state={"type": "list", "elements": "str", "choices": list(STATES)},
        summary_only={"type": "bool", "default": False},
    )
    if cloud.filter_option:
        spec[cloud.filter_option] = {"type": "list", "elements": "str", "no_log": False}
    if len(cloud.scopes) > 1:
        spec["scope"] = {"type": "str", "default": cloud.default_scope, "choices": sorted(cloud.scopes)}
    spec["sort"] = {"type": "str"}
    return spec


def _query(cloud: Cloud, params: Dict[str, Any]) -> JobQuery:
    validate_paging(params)
    sort = params.get("sort")
    if sort is not None and not valid_sort(sort.strip()):
        raise CckmInputError(
            "sort",
            "%r is not a sort order: give comma-separated job properties, each optionally prefixed by '-' for "
            "descending, e.g. -createdAt or overall_status,-createdAt." % sort,
        )
    return JobQuery(
        cloud,
        scope=params.get("scope"),
        ids=[validate_job_id("id", params["id"])] if params.get("id") else None,
        filter_values=validate_filter_values(cloud.filter_option, params.get(cloud.filter_option))
        if cloud.filter_option
        else None,
        overall_status=params.get("overall_status"),
        sort=sort.strip() if sort else None,
    )


def run_info_module(cloud_name: str) -> None:
    """Main of every ``<cloud>_sync_job_info`` module."""
    cloud = CLOUDS[cloud_name]
    module = new_module(info_argspec(cloud))
    params = module.params
    try:
        query = _query(cloud, params)
        client = client_from_module(module)
        jobs, total = find_jobs_in_states(client, query, params.get("state"), params["skip"], params.get("limit"))
    except CckmError as error:
        fail_from_error(module, error)
    for warning in unknown_status_warnings(jobs):
        module.warn(warning)
    result = {"changed": False, "total": total, "summary": summarize_states(jobs)}
    if not params["summary_only"]:
        result["sync_jobs"] = jobs
    module.exit_json(**result)


def find_jobs_in_states(client: Any, query: JobQuery, states: Any, skip: int, limit: Any) -> Any:
    """``find_jobs``, then only the jobs in ``states`` (normalized states are not a CM filter).

    With ``states``, every job matching the CM filters is read, so that ``total`` counts the jobs in
    those states and ``skip``/``limit`` apply to them.
    """
    if not states:
        return find_jobs(client, query, skip=skip, limit=limit)
    jobs, _cm_total = find_jobs(client, query)
    kept = [job for job in jobs if job["state"] in states]
    return (kept[skip:] if limit is None else kept[skip : skip + limit]), len(kept)
