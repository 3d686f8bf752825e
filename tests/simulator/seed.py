"""Sample jobs for the demo: a few per cloud, in every state the collection normalizes."""

from __future__ import annotations

import time
from typing import Callable, Dict, Iterable, Optional, Tuple

from tests.simulator.families import FAMILIES, LISTED, Family

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


def seed_fleet(
    sim,
    now: Optional[float] = None,
    names: Callable[[Family, str], str] = fleet_target,
    running: Optional[Iterable[Tuple[str, str]]] = None,
) -> None:
    """Targets in every listing and jobs in every scope that give each of them one verdict per scope.

    Per scope: the ``ok`` and ``failing`` targets share one partial job ten minutes old whose
    ``detailed_status`` reports an error for the failing one only; ``stale`` and ``running`` last
    succeeded three days ago, and a job of ``running`` runs now (for an hour) in the scopes ``running``
    names (every scope when None; elsewhere that target is stale); ``never`` has no job. ``names``
    gives each target its name (``fleet_target``: aws-kms-ok, ...).
    """
    now = sim.clock() if now is None else now
    listed = set()
    for key, family in LISTED.items():  # a verdict of each kind needs a target listing
        name = {verdict: names(family, verdict) for verdict in FLEET_VERDICTS}
        if family.targets_path not in listed:
            listed.add(family.targets_path)
            for verdict in FLEET_VERDICTS:
                sim.add_target(family.cloud, name[verdict], scope=family.scope)
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
        if running is None or key in running:
            sim.add_job(family.cloud, family.scope, filter_values=[name["running"]], created=now - 30, duration=3600, **job)


# What `make simulator` and `make demo` hold (``--seed fleet``): real-looking names, per target listing, in the
# order of FLEET_VERDICTS (ok, failing, stale, never, running). The README's ad hoc examples name some of them.
SHOWCASE_NAMES: Dict[str, Tuple[str, str, str, str, str]] = {
    "/api/v1/cckm/aws/kms": ("kms-prod", "kms-payments", "kms-dr", "kms-sandbox", "kms-analytics"),
    "/api/v1/cckm/aws/custom-key-stores": ("cks-prod-hsm", "cks-payments-hsm", "cks-dr-hsm", "cks-lab-hsm", "cks-analytics-hsm"),
    "/api/v1/cckm/azure/vaults": ("kv-prod-eastus", "kv-payments-westeu", "kv-dr-northeu", "kv-sandbox", "kv-analytics-eastus"),
    "/api/v1/cckm/google/key-rings": tuple(
        "projects/acme-%s/locations/%s/keyRings/%s" % parts
        for parts in (
            ("prod", "global", "prod-ring"),
            ("prod", "europe-west1", "payments-ring"),
            ("dr", "us-east1", "dr-ring"),
            ("sandbox", "global", "sandbox-ring"),
            ("prod", "us-central1", "analytics-ring"),
        )
    ),
    "/api/v1/cckm/oci/vaults": ("vault-finance", "vault-payments", "vault-hr", "vault-sandbox", "vault-analytics"),
    "/api/v1/cckm/sap/groups": ("group-finance", "group-payments", "group-hr", "group-sandbox", "group-analytics"),
    "/api/v1/cckm/sfdc/organizations": ("acme-prod", "acme-payments", "acme-dr", "acme-sandbox", "acme-analytics"),
    "/api/v1/cckm/hsm/luna/partitions": (
        "partition-prod",
        "partition-payments",
        "partition-dr",
        "partition-lab",
        "partition-analytics",
    ),
}
SHOWCASE_RUNNING = (("aws", "keys"), ("azure", "secrets"), ("google", "keys"), ("sap", "keys"))
"""The scopes where a job runs for an hour: elsewhere nothing runs, so a start (CM allows one at a time a scope) works."""


def showcase_target(family: Family, verdict: str) -> str:
    """The name ``seed_showcase`` gives ``family``'s target of ``verdict`` (aws: kms-prod is ok, kms-payments failing)."""
    return SHOWCASE_NAMES[family.targets_path][FLEET_VERDICTS.index(verdict)]


def seed_showcase(sim) -> None:
    """``--seed fleet``, what `make simulator` and `make demo` hold: every verdict in every listed scope under
    real-looking names, jobs running for an hour in SHOWCASE_RUNNING, some history (a cancelled and a failed
    job a scope, older than what decides the verdicts) and a nightly schedule."""
    now = sim.clock()
    seed_fleet(sim, now, names=showcase_target, running=SHOWCASE_RUNNING)
    for family in LISTED.values():
        ok, failing = showcase_target(family, "ok"), showcase_target(family, "failing")
        for outcome, target, age in (("aborted", ok, 2 * 86400), ("failed", failing, 86400)):
            sim.add_job(
                family.cloud, family.scope, filter_values=[target], outcome=outcome, created=now - age, target_key=family.job_key
            )
    google = [showcase_target(FAMILIES[("google", "keys")], verdict) for verdict in ("ok", "failing")]
    sim.scheduler.add_config("nightly-google-rings", "gcp", {"key_rings": google, "synchronize_all": False}, run_at="0 2 * * *")
