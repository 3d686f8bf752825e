# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What needs attention in a fleet, most severe first, and the next step for each target as a command to paste.

Internal to ciphertrust.cckm: not a public API, may change without notice.

Used by the page and the Markdown summary (``_fleet.report``); the order and the commands are one thing here so
that both say the same.
"""

from __future__ import annotations

import json
import re
import shlex
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import FAILING, NEVER, OK, RUNNING, STALE

SEVERITY = (FAILING, NEVER, STALE, RUNNING, OK)
"""Verdicts, most severe first: a failing job needs a person; a target never synchronized, a fix to a schedule;
a stale one, a run; one running past max_age, patience (and a look if it stays)."""

_PLAIN = re.compile(r"^[A-Za-z0-9_.:/@+-]+$")


class NextStep(NamedTuple):
    advice: str
    """What to check or do, in a sentence."""
    command: str
    """``ansible`` ad hoc commands that do it, one a line (connection from the CM_* or CIPHERTRUST_* variables)."""


def severity(target: Dict[str, Any]) -> int:
    """The rank of a target's verdict in SEVERITY (0: the most severe)."""
    verdict = target.get("verdict")
    return SEVERITY.index(verdict) if verdict in SEVERITY else len(SEVERITY)


def by_severity(targets: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Targets most severe first; within a verdict, the longest without a success first, then by name."""
    places = {
        (cloud.name, scope): index for index, (cloud, scope) in enumerate((c, s) for c in CLOUDS.values() for s in c.scopes)
    }

    def key(target: Dict[str, Any]) -> Any:
        age = target.get("age")
        return (
            severity(target),
            -(age if age is not None else float("inf")),
            places.get((target.get("cloud"), target.get("scope")), len(places)),
            str(target.get("target")),
        )

    return sorted(targets, key=key)


def needs_attention(status: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Every target whose verdict is not ok, most severe first."""
    return by_severity([target for target in status.get("targets") or [] if target.get("verdict") != OK])


def first_error(target: Dict[str, Any]) -> str:
    """The first error the target's last job reported for this target ('' when none)."""
    errors = (target.get("last_job") or {}).get("errors") or []
    return str(errors[0].get("message") or "") if errors else ""


def _plain(value: Any) -> Optional[str]:
    """``value`` as key=value text when Ansible reads it back unchanged (no space, quote or comma), else None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return _plain(value[0]) if len(value) == 1 else None
    text = str(value)
    return text if _PLAIN.match(text) else None


def adhoc(module: str, arguments: Dict[str, Any]) -> str:
    """An ``ansible localhost`` command line for ``module`` with ``arguments``, quoted for a POSIX shell: key=value
    when every value reads back as it is, else JSON (a name with a space, a quote or a comma)."""
    plain = {key: _plain(value) for key, value in arguments.items()}
    if all(text is not None for text in plain.values()):
        text = " ".join("%s=%s" % (key, value) for key, value in plain.items())
    else:
        text = json.dumps(arguments)
    return "ansible localhost -m ciphertrust.cckm.%s -a %s" % (module, shlex.quote(text))


def _scope_arguments(target: Dict[str, Any]) -> Dict[str, Any]:
    cloud = CLOUDS.get(str(target.get("cloud")))
    arguments: Dict[str, Any] = {"cloud": target.get("cloud")}
    if cloud is not None and target.get("scope") != cloud.default_scope:
        arguments["scope"] = target.get("scope")
    return arguments


def running_in_scopes(status: Dict[str, Any]) -> Dict[Tuple[str, str], List[str]]:
    """The ids of the jobs running in each (cloud, scope), from the targets they cover."""
    running: Dict[Tuple[str, str], List[str]] = {}
    for target in status.get("targets") or []:
        job_id = (target.get("running_job") or {}).get("id")
        ids = running.setdefault((str(target.get("cloud")), str(target.get("scope"))), [])
        if job_id and job_id not in ids:
            ids.append(job_id)
    return running


def next_step(target: Dict[str, Any], max_age_text: str = "", running_in_scope: Sequence[str] = ()) -> Optional[NextStep]:
    """What to do about one target, by its verdict; None for an ok one. ``running_in_scope``: the ids of the jobs
    running in its scope, which CM lets finish before it starts another there."""
    verdict = target.get("verdict")
    cloud = CLOUDS.get(str(target.get("cloud")))
    if verdict == OK or cloud is None:
        return None
    if verdict == RUNNING:
        running = (target.get("running_job") or {}).get("id")
        return NextStep(
            "A job runs for it now: wait for it, and look at the cloud if it runs on long.",
            adhoc("sync_job_wait", dict(_scope_arguments(target), id=running)),
        )
    step = _start_step(cloud, target, max_age_text)
    if not running_in_scope:
        return step
    wait = adhoc("sync_job_wait", dict(_scope_arguments(target), id=list(running_in_scope)))
    return NextStep(
        "%s CM runs one job a scope at a time, and job %s runs in this scope now: wait for it first."
        % (step.advice, ", ".join(running_in_scope)),
        "%s\n%s" % (wait, step.command),
    )


def _start_step(cloud: Any, target: Dict[str, Any], max_age_text: str) -> NextStep:
    """The step for a failing, never or stale target: a job for it, and what to check."""
    verdict = target.get("verdict")
    start = dict(_scope_arguments(target))
    start[cloud.target_option] = [target.get("target")]
    start["wait"] = True
    if verdict == FAILING:
        if first_error(target):
            advice = "Fix what the error names in %s (credentials, permissions, reachability), then run it again." % cloud.title
        else:
            advice = "Its last job ended %s without an error for it: see the job in CM, then run it again." % (
                (target.get("last_job") or {}).get("outcome") or "badly"
            )
        return NextStep(advice, adhoc("sync_job", start))
    if verdict == NEVER:
        return NextStep(
            "No job has ever synchronized it: run one, then add it to a schedule (ciphertrust.cckm.sync_schedule).",
            adhoc("sync_job", start),
        )
    return NextStep(
        "Its last success is older than %s: run a job now, and check the schedule that should cover it."
        % (max_age_text or "max_age"),
        adhoc("sync_job", start),
    )
