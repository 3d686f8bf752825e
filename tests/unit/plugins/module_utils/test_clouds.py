"""The collection's table of clouds against the API paths the simulator serves (its own, independent table),
and the places that must offer every cloud and filter of it: modules, action group, role."""

import os
import re
import subprocess

import pytest
import yaml

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, FILTER_OPTIONS, SCHEDULABLE, TARGET_OPTIONS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.info import info_argspec
from tests.doc_strings import string_constants
from tests.simulator.families import FAMILIES, SCHEDULER_CLOUDS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def test_every_design_family_is_in_the_table_with_the_same_path_and_filter():
    table = {(c.name, s): ("/api" + scope.path, c.filter_option) for c in CLOUDS.values() for s, scope in c.scopes.items()}
    design = {key: (family.path, family.filter_key) for key, family in FAMILIES.items()}
    assert table == design


def test_every_scope_lists_its_targets_where_the_simulator_serves_them():
    table = {
        (c.name, s): "/api" + scope.targets if scope.targets else "" for c in CLOUDS.values() for s, scope in c.scopes.items()
    }
    assert table == {key: family.targets_path for key, family in FAMILIES.items()}


def test_the_start_field_and_a_jobs_target_field_agree_with_the_simulator():
    for (cloud, scope), family in FAMILIES.items():
        assert CLOUDS[cloud].scope(scope).start_targets == family.start_field, (cloud, scope)
        assert family.job_key in CLOUDS[cloud].job_target_keys, (cloud, scope)


def test_every_info_module_offers_sort():
    # the vendor's CLI sends sort for aws, oci and google as well as the documented google and sfdc
    for name in CLOUDS:
        assert "sort" in info_argspec(CLOUDS[name]), name


def _module_doc(name):
    """A module's own DOCUMENTATION, without its fragments."""
    with open(os.path.join(ROOT, "plugins", "modules", name + ".py")) as handle:
        return yaml.safe_load(string_constants(handle.read())["DOCUMENTATION"])


def _documented_options(name):
    """A module's options as ansible-doc shows them: each fragment's option, updated by the module's own keys."""
    doc = _module_doc(name)
    options = {key: dict(value) for key, value in (doc.get("options") or {}).items()}
    for fragment in doc["extends_documentation_fragment"]:
        prefix = "ciphertrust.cckm.cckm"
        attribute = "DOCUMENTATION" if fragment == prefix else fragment[len(prefix) + 1 :].upper()
        for key, value in (_fragment(attribute).get("options") or {}).items():
            options[key] = dict(value, **options.get(key, {}))
    return options


def test_each_cloud_has_an_info_module_whose_own_options_match_its_argspec():
    common = {"id", "overall_status", "limit", "skip", "sort", "state", "summary_only"}  # the cckm.info fragment
    connection = {
        "address",
        "username",
        "password",
        "domain",
        "auth_domain",
        "refresh_token",
        "token",
        "allow_http",
        "validate_certs",
        "ca_cert",
        "request_timeout",
    }
    for name, cloud in CLOUDS.items():
        doc = _module_doc("%s_sync_job_info" % name)
        documented = set(doc.get("options") or {})
        assert documented | common | connection == set(info_argspec(cloud)), name
        if "scope" in documented:
            assert doc["options"]["scope"]["choices"] == sorted(cloud.scopes)


def test_every_cloud_has_the_schedulers_cloud_name_and_target_field():
    ours = {cloud.schedule_cloud: (cloud.name, cloud.schedule_targets) for cloud in CLOUDS.values() if cloud.schedule_cloud}
    assert ours == SCHEDULER_CLOUDS


def test_action_group_lists_every_module():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        group = yaml.safe_load(handle)["action_groups"]["cckm"]
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules")) if f.endswith(".py"))
    assert sorted(group) == modules


def test_the_role_offers_every_cloud_and_passes_every_scope_filter():
    with open(os.path.join(ROOT, "roles", "wait_for_sync", "meta", "argument_specs.yml")) as handle:
        options = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    assert options["wait_for_sync_cloud"]["choices"] == sorted(CLOUDS)
    with open(os.path.join(ROOT, "roles", "wait_for_sync", "tasks", "main.yml")) as handle:
        text = handle.read()
    tasks = yaml.safe_load(text)
    every = [t for block in tasks for t in block.get("block", [block])]
    waits = [t["ciphertrust.cckm.sync_job_wait"] for t in every if "ciphertrust.cckm.sync_job_wait" in t]
    starts = [t["ciphertrust.cckm.sync_job"] for t in every if "ciphertrust.cckm.sync_job" in t]
    assert len(waits) == 1 and len(starts) == 1
    assert set(FILTER_OPTIONS) <= set(waits[0]), "the role passes every cloud's scope filter to the wait"
    assert set(TARGET_OPTIONS) <= set(starts[0]), "the role passes every cloud's targets to the start"
    assert "ciphertrust.cckm.sync_filters" in text, (
        "the role reads its filters with the filter plugin, which knows FILTER_OPTIONS"
    )


@pytest.mark.parametrize(
    "kind, options",
    [
        ("stauts", {}),
        ("status", {"match": "lists"}),
        ("slow", {"status": 500}),
        ("tls_eof", {}),
        ("reset", {"count": 0}),
        ("html", {"colour": 1}),
    ],
)
def test_the_simulator_refuses_a_fault_that_would_never_fire(sim, kind, options):
    with pytest.raises(ValueError):
        sim.inject(kind, **options)


# -- every place that names the clouds agrees with CLOUDS -----------------------------------------------

CLOUD_MODULES = ["sync_job", "sync_job_wait", "sync_schedule", "sync_schedule_info"]


@pytest.mark.parametrize("module", CLOUD_MODULES)
def test_every_module_taking_a_cloud_documents_every_cloud_from_a_fragment(module):
    offered = SCHEDULABLE if module == "sync_schedule" else CLOUDS
    assert _documented_options(module)["cloud"]["choices"] == sorted(offered)
    assert "choices" not in _module_doc(module)["options"].get("cloud", {}), "%s lists the clouds itself" % module


def test_sync_status_offers_every_cloud_from_a_fragment():
    assert _documented_options("sync_status")["clouds"]["choices"] == sorted(CLOUDS)
    assert "choices" not in _module_doc("sync_status")["options"]["clouds"]


def test_the_wait_documents_every_scope_filter_and_both_waits_every_timing_option():
    assert set(FILTER_OPTIONS) <= set(_documented_options("sync_job_wait"))
    timing = set(_fragment("WAIT")["options"])
    assert timing == {"timeout", "poll_interval", "max_poll_interval", "fail_on", "progress_interval", "progress_file"}
    for module in ("sync_job", "sync_job_wait"):
        options = _documented_options(module)
        assert timing <= set(options), module
        assert all("type" in options[name] for name in timing), module
    # sync_job leaves the defaults out (an option given without wait=true warns); sync_job_wait has them
    assert not any("default" in _documented_options("sync_job")[name] for name in timing)
    assert _documented_options("sync_job_wait")["timeout"]["default"] == 1800


def _fragment(name):
    from ansible_collections.ciphertrust.cckm.plugins.doc_fragments.cckm import ModuleDocFragment

    return yaml.safe_load(getattr(ModuleDocFragment, name))


def test_the_targets_fragment_has_one_option_per_cloud_naming_it():
    options = _fragment("TARGETS")["options"]
    assert sorted(options) == sorted({c.target_option for c in CLOUDS.values()})
    for cloud in CLOUDS.values():
        assert "O(cloud=%s)" % cloud.name in str(options[cloud.target_option]["description"]), cloud.name


@pytest.mark.parametrize("module", ["sync_job", "sync_schedule"])
def test_the_write_modules_document_every_target_option(module):
    doc = _module_doc(module)
    assert "ciphertrust.cckm.cckm.targets" in doc["extends_documentation_fragment"]
    documented = set(_documented_options(module))
    assert set(TARGET_OPTIONS) <= documented, sorted(set(TARGET_OPTIONS) - documented)


def test_sync_schedule_names_every_schedulers_cloud_name():
    text = yaml.safe_dump(_documented_options("sync_schedule")["cloud"])
    missing = [c.schedule_cloud for c in CLOUDS.values() if c.schedule_cloud and "C(%s)" % c.schedule_cloud not in text]
    assert not missing, missing


def test_the_event_source_documents_every_cloud():
    path = os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "sync_jobs.py")
    with open(path) as handle:
        doc = yaml.safe_load(string_constants(handle.read())["DOCUMENTATION"])
    description = doc["options"]["cloud"]["description"]
    assert "(%s)" % ", ".join(sorted(CLOUDS)) in description, description


def test_the_awx_survey_offers_every_cloud():
    import json

    with open(os.path.join(ROOT, "docs", "awx", "survey_spec.json")) as handle:
        spec = {q["variable"]: q for q in json.load(handle)["spec"]}
    assert spec["wait_for_sync_cloud"]["choices"] == sorted(CLOUDS)


def test_the_readme_and_galaxy_tags_name_every_cloud():
    with open(os.path.join(ROOT, "README.md")) as handle:
        row = [line for line in handle if line.startswith("| `ciphertrust.cckm.aws_sync_job_info`")][0]
    missing = [name for name in CLOUDS if "`%s_" % name not in row and "`ciphertrust.cckm.%s_" % name not in row]
    assert not missing, "README's module table misses %s" % missing
    with open(os.path.join(ROOT, "galaxy.yml")) as handle:
        tags = yaml.safe_load(handle)["tags"]
    assert set(CLOUDS) <= set(tags), sorted(set(CLOUDS) - set(tags))


def test_the_info_modules_are_what_the_generator_makes():
    from tools import info_modules

    assert sorted(info_modules.WORDS) == sorted(CLOUDS)
    assert info_modules.differing() == [], "run make derive"


def test_every_place_that_lists_the_clouds_is_what_the_generator_makes():
    from tools import places

    assert places.differing() == [], "run make derive"


def fake_cloud():
    """An obviously fake row of the table of clouds, for tests that prove the derived places follow it."""
    from ansible_collections.ciphertrust.cckm.plugins.module_utils import _clouds

    return _clouds.Cloud(
        name="fakecloud",
        title="Fake Cloud KMS",
        scopes={"keys": _clouds.Scope("/v1/cckm/fake/synchronization-jobs", "fake_rings", "/v1/cckm/fake/rings")},
        default_scope="keys",
        filter_option="fake_rings",
        target_option="fake_rings",
        job_target_keys=("fake_rings",),
        schedule_cloud="FakeCloud",
        schedule_targets="fake_rings",
    )


def _rewritten_with_a_fake_cloud(monkeypatch):
    """Every place file's text as tools/derive.py would write it with a fake cloud added to the table."""
    from ansible_collections.ciphertrust.cckm.plugins.module_utils import _clouds
    from tools import info_modules, places

    fake = fake_cloud()
    monkeypatch.setitem(_clouds.CLOUDS, "fakecloud", fake)
    monkeypatch.setitem(_clouds.SCHEDULABLE, "fakecloud", fake)  # computed from CLOUDS when the table is imported
    words = info_modules.WORDS["google"]._replace(target_noun="fake ring", vendor="FakeCloud", short="FakeCloud")
    monkeypatch.setitem(info_modules.WORDS, "fakecloud", words)
    monkeypatch.setattr(places, "FILTER_OPTIONS", tuple(sorted(_clouds.FILTER_OPTIONS + ("fake_rings",))))
    monkeypatch.setattr(places, "TARGET_OPTIONS", tuple(sorted(_clouds.TARGET_OPTIONS + ("fake_rings",))))
    out = {}
    for path in places.CLOUD_FILES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            out[path] = places.rewrite(path, handle.read())
    return out


def test_a_new_cloud_row_reaches_every_place_that_lists_the_clouds(monkeypatch):
    texts = _rewritten_with_a_fake_cloud(monkeypatch)
    for path, text in texts.items():
        assert "fakecloud" in text.lower() or "fake_rings" in text, "%s does not follow the table" % path
    runtime = yaml.safe_load(texts["meta/runtime.yml"])
    assert "fakecloud_sync_job_info" in runtime["action_groups"]["cckm"]
    assert "fakecloud" in yaml.safe_load(texts["galaxy.yml"])["tags"]
    role = yaml.safe_load(texts["roles/wait_for_sync/meta/argument_specs.yml"])["argument_specs"]["main"]["options"]
    assert "fakecloud" in role["wait_for_sync_cloud"]["choices"]
    assert "C(fake_rings)" in " ".join(role["wait_for_sync_filters"]["description"])
    tasks = texts["roles/wait_for_sync/tasks/main.yml"]
    assert tasks.count('fake_rings: "{{ wait_for_sync__filters.filters.fake_rings | default(omit) }}"') == 2, "start and wait"
    fragments = {}
    exec(compile(texts["plugins/doc_fragments/cckm.py"], "cckm.py", "exec"), fragments)
    fragment = fragments["ModuleDocFragment"]
    assert "fakecloud" in yaml.safe_load(fragment.CLOUD)["options"]["cloud"]["choices"]
    assert "fake_rings" in yaml.safe_load(fragment.FILTERS)["options"]
    assert "fakecloud" in yaml.safe_load(fragment.CLOUDS)["options"]["clouds"]["choices"]
    assert "C(FakeCloud) for V(fakecloud)" in str(yaml.safe_load(fragment.SCHEDULER_CLOUD)["options"]["cloud"])
    doc = string_constants(texts["extensions/eda/plugins/event_source/sync_jobs.py"])["DOCUMENTATION"]
    assert "fake_rings" in yaml.safe_load(doc)["options"]
    import json

    survey = {q["variable"]: q for q in json.loads(texts["docs/awx/survey_spec.json"])["spec"]}
    assert "fakecloud" in survey["wait_for_sync_cloud"]["choices"]


def test_a_new_state_reaches_every_place_that_lists_the_states(monkeypatch):
    """A state added to the constants reaches the fragments, the role, the survey and the docs (make derive)."""
    from tools import places

    monkeypatch.setattr(places, "FAIL_ON_CHOICES", places.FAIL_ON_CHOICES + ("vanished",))
    monkeypatch.setattr(places, "DEFAULT_FAIL_ON", places.DEFAULT_FAIL_ON + ("vanished",))
    monkeypatch.setattr(places, "STATES", places.STATES + ("vanished",))
    monkeypatch.setattr(places, "FINISHED_STATES", places.FINISHED_STATES + ("vanished",))
    monkeypatch.setattr(places, "FAIL_WHEN_CHOICES", places.FAIL_WHEN_CHOICES + ("vanished",))
    assert len(places.STATE_FILES) >= 12
    for path in places.STATE_FILES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            assert "vanished" in places.rewrite(path, handle.read()), "%s does not follow the states" % path


def test_no_list_of_fail_on_states_is_typed_by_hand():
    """Outside the places make derive writes, no file spells the fail_on choices or default as a list."""
    from tools import places

    spelled = re.compile(r"failed['\"]?, ['\"]?cancelled['\"]?(, ['\"]?partial)?")
    generated = {"plugins/modules/%s_sync_job_info.py" % name for name in CLOUDS}
    found = []
    for path in subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split():
        if not path.endswith((".py", ".yml", ".yaml", ".md", ".rst", ".json", ".j2")):
            continue
        if path.startswith(("tests/", "changelogs/", "docs/examples/")) or path in generated:
            continue  # the tests' and examples' own values; the info modules are written whole by make derive
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            text = handle.read()
        inside = False
        for number, line in enumerate(text.splitlines(), 1):
            marker = places.MARKER.search(line)
            if marker:
                inside = marker.group(1) == "BEGIN"
                continue
            rows = places.ROWS.get(path, ())
            if not inside and spelled.search(line) and not any(re.match(row, line) for row in rows):
                found.append("%s:%d: %s" % (path, number, line.strip()))
    assert found == [], "write these from the states' constants (tools/places.py)"


def test_a_place_whose_markers_are_broken_is_named(monkeypatch):
    from tools import places

    text = "a\n# BEGIN derived: galaxy-tags\n  - aws\n"
    with pytest.raises(places.PlaceError, match="galaxy.yml:2: BEGIN derived: galaxy-tags has no matching END"):
        places.rewrite("galaxy.yml", text)
    with pytest.raises(places.PlaceError, match="galaxy.yml has no marked place galaxy-description, galaxy-tags"):
        places.rewrite("galaxy.yml", "tags: []\n")


def test_a_new_cloud_row_yields_a_documented_module_whose_options_follow_its_argspec(monkeypatch):
    """A fake cloud added to a copy of the table: its generated module documents what its argspec takes."""
    from ansible_collections.ciphertrust.cckm.plugins.module_utils import _clouds
    from tools import info_modules

    fake = fake_cloud()
    words = info_modules.WORDS["google"]._replace(title="Fake Cloud KMS", sample_target="ring-1")
    monkeypatch.setitem(_clouds.CLOUDS, "fakecloud", fake)
    monkeypatch.setitem(info_modules.CLOUDS, "fakecloud", fake)
    monkeypatch.setitem(info_modules.WORDS, "fakecloud", words)
    text = info_modules.render("fakecloud")
    docs = string_constants(text)
    doc = yaml.safe_load(docs["DOCUMENTATION"])
    assert doc["module"] == "fakecloud_sync_job_info"
    assert set(doc["options"]) == {"fake_rings"}
    assert set(doc["options"]) <= set(info_argspec(fake))
    examples = yaml.safe_load(docs["EXAMPLES"])
    assert any(e.get("ciphertrust.cckm.fakecloud_sync_job_info") == {"fake_rings": ["ring-1"]} for e in examples)
    assert 'run_info_module("fakecloud")' in text
    returned = yaml.safe_load(docs["RETURN"])
    assert "fake_rings" in returned["sync_jobs"]["contains"]


def test_every_module_takes_the_action_group_attribute_from_its_one_fragment():
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules")) if f.endswith(".py"))
    for module in modules:
        doc = _module_doc(module)
        assert "ciphertrust.cckm.cckm.action_group" in doc["extends_documentation_fragment"], module
        assert "action_group" not in (doc.get("attributes") or {}), "%s writes its own action_group" % module
    assert "action_group" in _fragment("ACTION_GROUP")["attributes"]
    assert "action_group" not in _fragment("ATTRIBUTES")["attributes"]
