"""The bad-input matrix: every option of every module, given what it must refuse.

Cases come from the modules' own argument specs, so a new option is covered the day it is added:
a wrong type for every option, an unknown choice for every option with choices, and the
out-of-range and malformed values listed below. The connection options share one argument spec
and one validation function; their malformed values run through aws_sync_job_info and
sync_job_wait. Each case runs the module's main() in-process against the simulator, which must
see no request at all; tests/integration/test_bad_input.py runs a sample through ansible-playbook.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Tuple

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, FILTER_OPTIONS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.info import info_argspec
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.schedule import schedule_argspec, schedule_info_argspec
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.status import status_argspec
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.sync_job import sync_job_argspec
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.wait import wait_argspec
from tests.integration.helpers import ROOT

WRONG_TYPE = {
    "int": "twelve",
    "float": "soon",
    "bool": "maybe",
    "str": {"not": "text"},
    "path": ["not", "a", "path"],
    "list": {"not": "a list"},
    "raw": {"not": "a duration"},
}

Case = Tuple[str, Dict[str, Any], str]  # (what, module args, option the message must name)


def generated_cases(spec: Dict[str, Dict[str, Any]], base: Dict[str, Any]) -> List[Case]:
    cases: List[Case] = []
    for option, rules in sorted(spec.items()):
        kind = rules.get("type", "str")
        if option not in base:
            cases.append(("%s of the wrong type" % option, dict(base, **{option: WRONG_TYPE[kind]}), option))
        if rules.get("choices"):
            bogus = ["bogus"] if kind == "list" else "bogus"
            cases.append(("%s not among its choices" % option, dict(base, **{option: bogus}), option))
        if kind == "list" and rules.get("elements") == "str":
            cases.append(("%s holding a mapping" % option, dict(base, **{option: [{"a": 1}]}), option))
    return cases


def connection_cases(base: Dict[str, Any]) -> List[Case]:
    return [
        ("empty address", dict(base, address=""), "address"),
        ("address with a path", dict(base, address="https://cm.example.com/api/v1"), "address"),
        ("address with a query", dict(base, address="cm.example.com?debug=1"), "address"),
        ("http:// address not allowed", dict(base, address="http://127.0.0.1:9"), "allow_http"),
        ("address with a bad port", dict(base, address="cm.example.com:70000"), "address"),
        ("unreadable ca_cert", dict(base, ca_cert="/nonexistent/ca.pem"), "ca_cert"),
        ("ca_cert that is a directory", dict(base, ca_cert="/"), "ca_cert"),
        ("ca_cert that holds no PEM certificate", dict(base, ca_cert=os.path.join(ROOT, "galaxy.yml")), "ca_cert"),
        ("request_timeout of 0", dict(base, request_timeout=0), "request_timeout"),
        ("negative request_timeout", dict(base, request_timeout=-5), "request_timeout"),
    ]


def info_cases(cloud_name: str) -> List[Case]:
    cloud = CLOUDS[cloud_name]
    cases = generated_cases(info_argspec(cloud), {})
    if cloud_name == "aws":  # one validation function serves every module: its cases run twice, not eight times
        cases += connection_cases({})
    cases += [
        ("limit of 0", {"limit": 0}, "limit"),
        ("negative skip", {"skip": -1}, "skip"),
        ("id with spaces", {"id": "a job id"}, "id"),
        ("id with ../", {"id": "../../v1/auth/tokens"}, "id"),
        ("id with a slash", {"id": "abc/def"}, "id"),
    ]
    for option in FILTER_OPTIONS:
        if option != cloud.filter_option:
            cases.append(("filter of another cloud (%s)" % option, {option: ["x"]}, option))
    if cloud.filter_option:
        cases.append(("empty filter value", {cloud.filter_option: [""]}, cloud.filter_option))
    return cases


def wait_cases() -> List[Case]:
    base = {"cloud": "aws"}
    cases = generated_cases(wait_argspec(), base)
    cases += [
        ("cloud of the wrong type", {"cloud": ["aws"]}, "cloud"),
        ("cloud not among its choices", {"cloud": "not-a-cloud"}, "cloud"),
        ("cloud missing", {"kms": ["x"]}, "cloud"),
    ]
    cases += connection_cases(base)
    cases += [
        ("negative timeout", dict(base, timeout=-1), "timeout"),
        ("poll_interval of 0", dict(base, poll_interval=0), "poll_interval"),
        ("max_poll_interval below poll_interval", dict(base, poll_interval=10, max_poll_interval=5), "max_poll_interval"),
        ("negative progress_interval", dict(base, progress_interval=-1), "progress_interval"),
        ("progress_file in a missing directory", dict(base, progress_file="/nonexistent/dir/progress.json"), "progress_file"),
        ("scope of another cloud", dict(base, scope="certificates"), "scope"),
        ("id with spaces", dict(base, id=["a job id"]), "id"),
        ("id with ../", dict(base, id=["../../v1/auth/tokens"]), "id"),
        ("empty id list", dict(base, id=[]), "id"),
        ("id and a filter together", dict(base, id=["abc"], kms=["x"]), "id"),
        ("filter of another cloud", dict(base, key_vaults=["vault-1"]), "key_vaults"),
    ]
    return cases


def sync_job_cases() -> List[Case]:
    base = {"cloud": "aws", "kms": ["kms-prod"]}
    cases = generated_cases(sync_job_argspec(), base)
    cases += [
        ("cloud missing", {"kms": ["x"]}, "cloud"),
        ("neither targets nor synchronize_all", {"cloud": "aws"}, "kms"),
        ("targets and synchronize_all", dict(base, synchronize_all=True), "kms"),
        ("target of another cloud", {"cloud": "azure", "kms": ["x"]}, "kms"),
        ("organizations for luna", {"cloud": "luna", "organizations": ["x"]}, "organizations"),
        ("regions outside aws", {"cloud": "google", "key_rings": ["r"], "regions": ["x"]}, "regions"),
        (
            "take_cloud_key_backup outside azure keys",
            {"cloud": "azure", "scope": "secrets", "key_vaults": ["v"], "take_cloud_key_backup": True},
            "take_cloud_key_backup",
        ),
        ("empty target value", {"cloud": "aws", "kms": [""]}, "kms"),
        ("scope of another cloud", dict(base, scope="secrets"), "scope"),
        ("id with state started", dict(base, id=["abc"]), "id"),
        ("cancel with nothing to cancel", {"cloud": "aws", "state": "cancelled"}, "id"),
        ("cancel with an empty id list", {"cloud": "aws", "state": "cancelled", "id": []}, "id"),
        ("cancel with ids and targets", {"cloud": "aws", "state": "cancelled", "id": ["abc"], "kms": ["x"]}, "id"),
        ("cancel with an id with ../", {"cloud": "aws", "state": "cancelled", "id": ["../../v1/auth/tokens"]}, "id"),
        ("negative timeout", dict(base, timeout=-1), "timeout"),
        ("max_poll_interval below poll_interval", dict(base, poll_interval=10, max_poll_interval=5), "max_poll_interval"),
    ]
    return cases


def schedule_cases() -> List[Case]:
    base = {"name": "nightly", "cloud": "azure", "key_vaults": ["vault1"], "run_at": "0 2 * * *"}
    cases = generated_cases(schedule_argspec(), base)
    cases += [
        ("name missing", {"cloud": "aws", "kms": ["k"], "run_at": "0 2 * * *"}, "name"),
        ("empty name", dict(base, name="  "), "name"),
        ("cloud missing", {"name": "n", "key_vaults": ["v"], "run_at": "0 2 * * *"}, "cloud"),
        ("run_at missing", {"name": "n", "cloud": "azure", "key_vaults": ["v"]}, "run_at"),
        ("run_at with 6 fields", dict(base, run_at="0 0 2 * * *"), "run_at"),
        ("run_at with an hour of 25", dict(base, run_at="0 25 * * *"), "run_at"),
        ("run_at with a bad day name", dict(base, run_at="0 2 * * someday"), "run_at"),
        ("run_at on a day no month it names has", dict(base, run_at="0 2 31 2 *"), "run_at"),
        ("neither targets nor synchronize_all", {"name": "n", "cloud": "azure", "run_at": "0 2 * * *"}, "key_vaults"),
        ("targets and synchronize_all", dict(base, synchronize_all=True), "key_vaults"),
        ("target of another cloud", dict(base, kms=["x"]), "kms"),
        ("regions outside aws", dict(base, regions=["eu-west-1"]), "regions"),
        (
            "take_cloud_key_backup outside azure",
            {"name": "n", "cloud": "google", "key_rings": ["r"], "run_at": "0 2 * * *", "take_cloud_key_backup": True},
            "take_cloud_key_backup",
        ),
        ("empty target value", dict(base, key_vaults=[""]), "key_vaults"),
        ("empty region", {"name": "n", "cloud": "aws", "kms": ["k"], "run_at": "0 2 * * *", "regions": [" "]}, "regions"),
        ("start_date that is not RFC 3339", dict(base, start_date="next monday"), "start_date"),
        ("end_date without a zone", dict(base, end_date="2027-01-01T00:00:00"), "end_date"),
        (
            "end_date before start_date",
            dict(base, start_date="2027-01-02T00:00:00Z", end_date="2027-01-01T00:00:00Z"),
            "end_date",
        ),
        ("empty run_on", dict(base, run_on=" "), "run_on"),
        ("run_now with state absent", {"name": "n", "state": "absent", "run_now": True}, "run_now"),
    ]
    return cases


def schedule_info_cases() -> List[Case]:
    cases = generated_cases(schedule_info_argspec(), {})
    cases += [
        ("last_runs above 5", {"last_runs": 6}, "last_runs"),
        ("negative last_runs", {"last_runs": -1}, "last_runs"),
        ("empty name", {"name": ""}, "name"),
    ]
    return cases


def status_cases() -> List[Case]:
    cases = generated_cases(status_argspec(), {})
    cases += [
        ("max_age with an unknown unit", {"max_age": "24x"}, "max_age"),
        ("max_age of 0", {"max_age": 0}, "max_age"),
        ("negative max_age", {"max_age": "-1h"}, "max_age"),
        ("max_age of true", {"max_age": True}, "max_age"),
        ("a scope no cloud has", {"scopes": ["kays"]}, "scopes"),
        ("a scope the chosen cloud lacks", {"clouds": ["google"], "scopes": ["secrets"]}, "scopes"),
    ]
    return cases


MODULES = {"%s_sync_job_info" % name: info_cases(name) for name in sorted(CLOUDS)}
MODULES["sync_job_wait"] = wait_cases()
MODULES["sync_job"] = sync_job_cases()
MODULES["sync_schedule"] = schedule_cases()
MODULES["sync_schedule_info"] = schedule_info_cases()
MODULES["sync_status"] = status_cases()


def names_option(message: str, option: str) -> bool:
    return any(form in message for form in ("%s:" % option, "'%s'" % option, " %s " % option, " %s." % option)) or (
        message.endswith(" " + option)
    )


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_bad_input_fails_before_any_request_naming_the_option(sim, run_module, module):
    problems = []
    for what, args, option in MODULES[module]:
        result = run_module(module, args)
        message = str(result.get("msg", ""))
        if not result["failed"]:
            problems.append("%s: accepted" % what)
        elif not names_option(message, option) or len(message) > 900:
            problems.append("%s: %r does not name %r" % (what, message, option))
        for secret in sim.secrets_issued():
            assert secret not in json.dumps(result)
    assert not problems, "\n".join(problems)
    assert sim.stats().get("requests", 0) == 0, "bad input reached CM"


@pytest.mark.parametrize("value", [0, "0", "0s", "0h", " 0d ", -5, "-1h", "-90m"], ids=repr)
def test_a_max_age_that_is_not_more_than_0_is_refused_as_such(sim, run_module, value):
    result = run_module("sync_status", {"max_age": value})
    assert result["failed"] and result["msg"] == (
        "max_age: must be more than 0, got %r: give a duration such as 24h, 90m or 2d, or a number of seconds." % (value,)
    )
    assert sim.stats().get("requests", 0) == 0


@pytest.mark.parametrize("value", ["soon", "24x", "h", True], ids=repr)
def test_a_max_age_that_is_not_a_duration_is_refused_as_such(sim, run_module, value):
    result = run_module("sync_status", {"max_age": value})
    assert result["failed"] and result["msg"].startswith("max_age: %r is not a duration: " % (value,)), result["msg"]
    assert "more than 0" not in result["msg"]
