# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which jobs cover which targets, and what the newest covering job says of each target.

Internal to ciphertrust.cckm: not a public API, may change without notice.

The one piece of code that decides it, for the waits on targets (``_jobs.watch.TargetWatch``), ``sync_status``
(``_fleet``), the event source's stale and fresh events, ``sync_job``'s reuse and the scheduler's run-now.

A job covers a target when it lists it or synchronizes everything (no target list). Jobs name targets in
more than one way (by name, by CM's id, by the cloud's own id, Azure's ``<name>::<subscription>``), and a
``detailed_status`` key may name one by a part (``123456789012/us-east-1``): a ``TargetIndex`` maps every
identifier of every target to it, built once, so matching a job costs its entries, not the targets.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import Cloud
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    FINISHED_STATES,
    IN_PROGRESS,
    PARTIAL,
    SUCCEEDED,
    created,
)

Job = Dict[str, Any]

_PART = re.compile(r"/|::")


def job_targets(cloud: Cloud, job: Job) -> List[str]:
    """What a job synchronizes, read from every field that may list it; empty means everything."""
    targets: List[str] = []
    for key in cloud.job_target_keys:
        values = job.get(key)
        if isinstance(values, list):
            targets += [str(value) for value in values]
    return targets


def synchronizes_all(cloud: Cloud, job: Job) -> bool:
    """Whether a job covers every target of its scope (``synchronize_all``, or no target list)."""
    return job.get("synchronize_all") is True or not job_targets(cloud, job)


def entry_parts(entry: str) -> List[str]:
    """A job's entry or a ``detailed_status`` key, then its parts: ``kv::sub`` names ``kv``, ``acct/us-east-1`` ``acct``."""
    return [entry] + [part for part in _PART.split(entry) if part and part != entry]


def resource_identifiers(cloud: Cloud, resource: Dict[str, Any]) -> List[str]:
    """Every identifier a job may name a listed target by: its name, CM's id, the cloud's own ids, Azure's
    ``<name>::<subscription>`` (``Cloud.target_ids``, ``Cloud.target_qualifier``)."""
    name = str(resource.get("name") or resource.get("id"))
    identifiers = [name]
    for field in ("id",) + cloud.target_ids:
        if resource.get(field):
            identifiers.append(str(resource[field]))
    if cloud.target_qualifier and resource.get(cloud.target_qualifier):
        identifiers.append("%s::%s" % (name, resource[cloud.target_qualifier]))
    return list(dict.fromkeys(identifiers))


def newer(job: Job, than: Optional[Job]) -> bool:
    """Whether ``job`` replaces ``than`` as the newer: created later, or the same job read again (fresher)."""
    return than is None or job.get("id") == than.get("id") or created(job) > created(than)


class Target:
    """One target of one scope, and what the covering jobs seen so far say about it.

    Jobs may be seen in any order (the newest pages, the running listing, look-ups, later polls): each slot
    keeps the newest job of its kind, and a job seen again replaces its older copy.
    """

    def __init__(self, name: str, identifiers: Iterable[str] = (), target_id: Optional[str] = None) -> None:
        self.name = name
        self.target_id = target_id
        self.identifiers = frozenset([name, *identifiers])
        self.newest: Optional[Job] = None
        """The newest covering job, whatever its state."""
        self.last_finished: Optional[Job] = None
        self.last_success: Optional[Job] = None
        """The newest finished covering job that succeeded for this target."""
        self.running: Optional[Job] = None
        """The newest covering job in progress."""

    def __repr__(self) -> str:
        return "Target(%r)" % self.name

    def names(self, key: str) -> bool:
        """Whether a job's entry or a ``detailed_status`` key names this target (by any identifier or a part)."""
        return any(part in self.identifiers for part in entry_parts(key))

    def errors_in(self, job: Job) -> List[Dict[str, str]]:
        """The errors of ``job`` (normalized) that name this target."""
        return [error for error in job.get("errors") or [] if self.names(error["target"])]

    def state_in(self, job: Job) -> str:
        """What ``job`` (normalized) did for this target: its state, but a partial job succeeded for a target
        its errors do not name, and is partial only for those they name."""
        state = job["state"]
        if state == PARTIAL and not self.errors_in(job):
            return SUCCEEDED
        return state

    def see(self, job: Job) -> None:
        """Take one covering job (normalized) into account."""
        if newer(job, self.newest):
            self.newest = job
        state = job["state"]
        if state == IN_PROGRESS:
            if newer(job, self.running):
                self.running = job
            return
        if self.running is not None and self.running.get("id") == job.get("id"):
            self.running = None  # it ended since it was seen running
        if state not in FINISHED_STATES:
            return  # an unknown status says nothing about how this target ended
        if newer(job, self.last_finished):
            self.last_finished = job
        if self.state_in(job) == SUCCEEDED and newer(job, self.last_success):
            self.last_success = job

    @property
    def has_success(self) -> bool:
        return self.last_success is not None


class TargetIndex:
    """Targets by every identifier: the covering targets of a job in the time of its entries."""

    def __init__(self, cloud: Cloud, targets: Iterable[Target] = ()) -> None:
        self.cloud = cloud
        self.targets: Dict[str, Target] = {}
        self._by_identifier: Dict[str, List[Target]] = {}
        self._succeeded = 0
        for target in targets:
            self.add(target)

    def add(self, target: Target) -> Target:
        """Index ``target`` (the first one of a name stays) and return the one indexed under its name."""
        if target.name in self.targets:
            return self.targets[target.name]
        self.targets[target.name] = target
        self._succeeded += target.has_success
        for identifier in target.identifiers:
            self._by_identifier.setdefault(identifier, []).append(target)
        return target

    def __len__(self) -> int:
        return len(self.targets)

    def named_by(self, key: str) -> List[Target]:
        """The targets a job's entry or a ``detailed_status`` key names."""
        found: List[Target] = []
        for part in entry_parts(key):
            for target in self._by_identifier.get(part, ()):
                if target not in found:
                    found.append(target)
        return found

    def covered_by(self, job: Job) -> List[Target]:
        """The targets ``job`` covers: every one for a job of everything, else those its entries name."""
        if synchronizes_all(self.cloud, job):
            return list(self.targets.values())
        found: List[Target] = []
        for entry in job_targets(self.cloud, job):
            for target in self.named_by(entry):
                if target not in found:
                    found.append(target)
        return found

    def see(self, job: Job) -> List[Target]:
        """Let every target ``job`` covers see it; the targets it covers."""
        covered = self.covered_by(job)
        for target in covered:
            had = target.has_success
            target.see(job)
            self._succeeded += target.has_success and not had
        return covered

    def covers_all(self, job: Job) -> bool:
        """Whether ``job`` covers every indexed target."""
        return synchronizes_all(self.cloud, job) or len(self.covered_by(job)) == len(self.targets)

    def without_success(self) -> List[Target]:
        return [target for target in self.targets.values() if not target.has_success]

    def all_succeeded(self) -> bool:
        """Whether every indexed target has a covering success (counted as jobs are seen, not by a walk)."""
        return self._succeeded == len(self.targets)

    def errors_naming(self, job: Job) -> List[Target]:
        """The indexed targets the errors of ``job`` (normalized) name (looked up by the errors, not the targets)."""
        found: List[Target] = []
        for error in job.get("errors") or []:
            for target in self.named_by(error["target"]):
                if target not in found:
                    found.append(target)
        return found


def named_targets(cloud: Cloud, names: Iterable[str], resources: Optional[Iterable[Dict[str, Any]]] = None) -> TargetIndex:
    """An index of the targets a user named (``kms: [a, b]``), each known also by every identifier of the
    listed resource it names (``resources``: the cloud's target listing, or None when it was not read)."""
    listed = TargetIndex(cloud, (listed_target(cloud, resource) for resource in resources or ()))
    index = TargetIndex(cloud)
    for name in names:
        matches = listed.named_by(name)
        identifiers = [identifier for match in matches for identifier in match.identifiers]
        target_id = matches[0].target_id if len(matches) == 1 else None
        index.add(Target(name, identifiers, target_id))
    return index


def listed_target(cloud: Cloud, resource: Dict[str, Any]) -> Target:
    """A target as CM lists it, known by every identifier a job may name it by."""
    identifiers = resource_identifiers(cloud, resource)
    return Target(identifiers[0], identifiers, str(resource["id"]) if resource.get("id") else None)


def live_resources(cloud: Cloud, resources: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The listed resources that are not archived (``Cloud.archived_status``: AWS KMS accounts carry ``status``)."""
    if not cloud.archived_status:
        return list(resources)
    return [r for r in resources if str(r.get("status") or "").lower() != cloud.archived_status]
