"""Which job covers which target, and what each target's newest covering job says (``_jobs.coverage``)."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import (
    Target,
    TargetIndex,
    entry_parts,
    listed_target,
    live_resources,
    named_targets,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import job

AWS, AZURE = CLOUDS["aws"], CLOUDS["azure"]
VAULT = {
    "id": "5d1c7f3e-0000-4000-8000-000000000001",
    "name": "keyvault-softkeys",
    "azure_vault_id": "/subscriptions/12e5/vaults/keyvault-softkeys",
    "subscription_id": "12e533dd-b5c2-4e58-a264-0cd812dc5a34",
}


def done(job_id, status="completed", created="", **fields):
    return normalize_job(job(job_id, status, created, **fields))


@pytest.mark.parametrize(
    "entry",
    [
        "keyvault-softkeys",
        "5d1c7f3e-0000-4000-8000-000000000001",
        "/subscriptions/12e5/vaults/keyvault-softkeys",
        "keyvault-softkeys::12e533dd-b5c2-4e58-a264-0cd812dc5a34",
    ],
    ids=["name", "id", "the cloud's id", "name::subscription"],
)
def test_a_job_names_a_listed_target_by_any_of_its_identifiers(entry):
    index = TargetIndex(
        AZURE,
        [
            listed_target(AZURE, VAULT),
            listed_target(AZURE, dict(VAULT, id="other", name="kv-2", azure_vault_id="/subscriptions/12e5/vaults/kv-2")),
        ],
    )
    assert [t.name for t in index.covered_by(done("1", key_vaults=[entry]))] == ["keyvault-softkeys"]


def test_a_detailed_status_key_names_a_target_by_a_part():
    account = listed_target(AWS, {"id": "a1", "name": "kms-prod", "account_id": "123456789012"})
    assert entry_parts("123456789012/us-east-1") == ["123456789012/us-east-1", "123456789012", "us-east-1"]
    assert account.names("123456789012/us-east-1") and not account.names("210987654321/us-east-1")
    partial = done("1", kms=["kms-prod"], detailed_status={"123456789012/us-east-1": "Error listing keys: denied"})
    assert partial["state"] == "partial" and account.state_in(partial) == "partial"
    assert account.errors_in(partial) == [{"target": "123456789012/us-east-1", "message": "Error listing keys: denied"}]


def test_a_partial_job_succeeded_for_the_targets_its_errors_do_not_name():
    index = named_targets(AWS, ["kms-a", "kms-b"])
    partial = done("1", kms=["kms-a", "kms-b"], detailed_status={"kms-a": "Error: denied", "kms-b": "synchronized"})
    index.see(partial)
    a, b = index.targets["kms-a"], index.targets["kms-b"]
    assert (a.state_in(partial), b.state_in(partial)) == ("partial", "succeeded")
    assert a.last_success is None and b.last_success is partial


def test_a_job_of_everything_covers_every_target_and_one_naming_none_of_them_covers_none():
    index = named_targets(AWS, ["kms-a", "kms-b"])
    assert (
        len(index.covered_by(done("1", kms=[]))) == 2 and len(index.covered_by(done("2", synchronize_all=True, kms=["x"]))) == 2
    )
    assert index.covered_by(done("3", kms=["kms-c"])) == []


def test_each_slot_keeps_the_newest_job_whatever_order_jobs_come_in():
    target = Target("kms-a")
    newer = done("2", "failed", "2026-01-02T00:00:00Z", kms=["kms-a"])
    older = done("1", "completed", "2026-01-01T00:00:00Z", kms=["kms-a"])
    running = done("3", "in_progress", "2026-01-03T00:00:00Z", kms=["kms-a"])
    for seen in (newer, older, running):
        target.see(seen)
    assert target.newest is running and target.last_finished is newer and target.last_success is older
    target.see(done("3", "completed", "2026-01-03T00:00:00Z", kms=["kms-a"]))  # the same job read again, ended
    assert target.running is None and target.newest["state"] == "succeeded" and target.last_success["id"] == "3"


def test_a_name_given_by_the_user_learns_the_listed_targets_other_identifiers():
    index = named_targets(AZURE, ["keyvault-softkeys", "kv-unlisted"], [VAULT])
    assert index.targets["keyvault-softkeys"].target_id == VAULT["id"]
    assert index.covered_by(done("1", key_vaults=[VAULT["id"]]))[0].name == "keyvault-softkeys"
    assert index.targets["kv-unlisted"].identifiers == {"kv-unlisted"}


def test_archived_aws_accounts_are_not_live_and_other_clouds_have_no_such_status():
    resources = [{"name": "a", "status": "ARCHIVED"}, {"name": "b", "status": "active"}]
    assert [r["name"] for r in live_resources(AWS, resources)] == ["b"]
    assert len(live_resources(AZURE, resources)) == 2


def test_matching_costs_a_jobs_entries_not_the_targets():
    index = TargetIndex(AWS, [Target("kms-%05d" % n, ["id-%05d" % n]) for n in range(20000)])
    calls = []
    original = index.named_by
    index.named_by = lambda key: calls.append(key) or original(key)
    assert [t.name for t in index.covered_by(done("1", kms=["id-00007", "kms-19999"]))] == ["kms-00007", "kms-19999"]
    assert calls == ["id-00007", "kms-19999"]


def test_the_index_counts_successes_as_jobs_are_seen_and_finds_the_targets_errors_name():
    index = TargetIndex(AWS, [Target("kms-a", ["111111111111"]), Target("kms-b")])
    assert not index.all_succeeded()
    index.see(done("1", kms=["kms-a"]))
    index.see(done("1", kms=["kms-a"]))  # the same job read again counts once
    assert not index.all_succeeded() and [t.name for t in index.without_success()] == ["kms-b"]
    partial = normalize_job(
        {
            "id": "2",
            "overall_status": "completed",
            "createdAt": "2026-01-01T00:00:00Z",
            "kms": ["kms-a", "kms-b"],
            "detailed_status": {"111111111111/us-east-1": "Error listing keys: access denied", "kms-b": "synchronized"},
        }
    )
    index.see(partial)
    assert index.all_succeeded(), "the partial job succeeded for kms-b, the one its errors do not name"
    assert [t.name for t in index.errors_naming(partial)] == ["kms-a"], "named by a part of a detailed_status key"
