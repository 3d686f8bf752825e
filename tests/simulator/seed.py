"""Sample jobs for the demo: a few per cloud, in every state the collection normalizes."""

from __future__ import annotations

import time

from tests.simulator.families import FAMILIES, LISTED

_SAMPLE_FILTERS = {family.cloud: list(family.sample_targets) for family in FAMILIES.values()}


def seed_demo(sim, running_for: float = 6.0) -> None:
    """Each cloud/scope gets finished jobs (failed, succeeded, partial, cancelled, newest first) and,
    unless ``running_for`` is 0, one running that long."""
    now = time.time()
    plan = [("failed", 0.0), ("completed", 0.0), ("partial", 0.0), ("aborted", 0.0)]
    for (cloud, scope), _family in FAMILIES.items():
        values = _SAMPLE_FILTERS[cloud]
        for age, (outcome, duration) in enumerate(plan):
            sim.add_job(
                cloud,
                scope,
                filter_values=values,
                outcome=outcome,
                duration=duration,
                created=now - 3600 * (age + 1),
                targets=["%s-target-%d" % (cloud, i) for i in (1, 2)],
            )
        if not running_for:
            continue
        sim.add_job(
            cloud,
            scope,
            filter_values=values,
            outcome="completed",
            duration=running_for,
            spelling="in progress" if cloud in ("azure", "sap") else "in_progress",
            created=now,
            targets=["%s-target-1" % cloud],
        )


def seed_many(sim, cloud: str, count: int, scope: str = "keys") -> None:
    """``count`` finished jobs, one second apart, for listing tests and benchmarks."""
    now = time.time()
    for index in range(count):
        sim.add_job(cloud, scope, outcome="completed", created=now - index - 1, filter_values=["bulk"])


FLEET_VERDICTS = ("ok", "failing", "stale", "never", "running")


def fleet_target(family, verdict: str) -> str:
    """The seeded target of ``family``'s listing that ``seed_fleet`` gives ``verdict`` (aws-kms-ok, azure-vaults-never)."""
    return "%s-%s-%s" % (family.cloud, family.targets_path.rsplit("/", 1)[-1], verdict)


def seed_fleet(sim, now: float = None) -> None:
    """Targets in every listing and jobs in every scope that give each of them one verdict per scope.

    Per scope: ``...-ok`` and ``...-failing`` share one partial job ten minutes old whose
    ``detailed_status`` reports an error for the failing one only; ``...-stale`` and ``...-running``
    last succeeded three days ago, and a job of ``...-running`` runs now; ``...-never`` has no job.
    """
    now = sim.clock() if now is None else now
    listed = set()
    for family in LISTED.values():  # a verdict of each kind needs a target listing
        if family.targets_path not in listed:
            listed.add(family.targets_path)
            for verdict in FLEET_VERDICTS:
                sim.add_target(family.cloud, fleet_target(family, verdict), scope=family.scope)
        name = {verdict: fleet_target(family, verdict) for verdict in FLEET_VERDICTS}
        job = dict(target_key=family.job_key)
        sim.add_job(family.cloud, family.scope, filter_values=[name["stale"], name["running"]], created=now - 3 * 86400, **job)
        sim.add_job(
            family.cloud,
            family.scope,
            filter_values=[name["failing"], name["ok"]],
            targets=[name["failing"], name["ok"]],
            outcome="partial",
            created=now - 600,
            **job,
        )
        sim.add_job(family.cloud, family.scope, filter_values=[name["running"]], created=now - 30, duration=3600, **job)
