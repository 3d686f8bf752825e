"""The docs cannot drift: every shell command and YAML snippet of the README, the role README and the
user guide runs against the simulator, as a reader would paste it, and must pass without a warning. The shell
commands run against what `make simulator` holds (the seed a new user meets) and must each return data.

Each snippet is read from the page itself. The documented example values (cm.example.com, the CA
path, the vault password) are swapped for the simulator's; the few commands that need Galaxy, a
clone or the project's own make targets are listed in EXEMPT with the reason, and a new command
that is neither run nor listed fails the test.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import List, Tuple

import pytest
import yaml

from tests.integration.helpers import ROOT, playbook, task
from tests.simulator.families import FAMILIES
from tests.simulator.seed import seed_demo, seed_showcase

# The controller side of this path differs between ansible-core versions: make test runs it on the newest too.
# the module side is the same on every core (make test-matrix runs it on each); 2.21 runs the role and the examples

PAGES = ["README.md", "roles/wait_for_sync/README.md", "docs/docsite/rst/user_guide.rst"]

EXEMPT = {
    "ansible-galaxy collection install ciphertrust.cckm": "installs from Galaxy (test_package installs the built tarball)",
    "pip install requests": "installs from PyPI (the test virtualenv has requests)",
    "git clone": "needs the repository's remote",
    "ansible-galaxy collection install ciphertrust-cckm-": "installs the release tarball: test_package installs the built one",
    "ansible-galaxy collection build": "build and install of the tarball: test_package does exactly that",
    "make demo": "the README's own command: test_examples runs what it runs (tests/demo.py)",
    "make test": "what CI runs: this test is part of it",
    "export CM_ADDRESS": "the environment the test gives every command (the simulator's CM_* values)",
    'git checkout "$(git log': "the release commit: test_package finds it as the README says",
    "ansible-rulebook -r extensions/eda/rulebooks/cckm_sync_jobs.yml": "test_rulebook runs this rulebook with ansible-rulebook",
}
NEEDS_OTHER_COLLECTIONS = {"ansible.posix.json": "needs the ansible.posix collection, which the test virtualenv does not have"}

# Ansible's own notices about the implicit localhost, not the collection's; every other warning fails.
ANSIBLE_NOTICES = ("No inventory was parsed", "provided hosts list is empty")


def blocks(page: str) -> List[Tuple[str, str]]:
    """(language, text) of every code block of a Markdown or reStructuredText page."""
    with open(os.path.join(ROOT, page)) as handle:
        text = handle.read()
    if page.endswith(".md"):
        return [(lang or "text", body) for lang, body in re.findall(r"```(\w*)\n(.*?)```", text, re.S)]
    found = []
    for match in re.finditer(r"\.\. code-block:: (\w+)\n\n((?:(?: {4}.*)?\n)+)", text):
        lines = [line[4:] for line in match.group(2).splitlines()]
        found.append((match.group(1), "\n".join(lines).strip() + "\n"))
    return found


def shell_commands(text: str) -> List[str]:
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.split("  #")[0].strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def snippets(kind: str) -> List[Tuple[str, str]]:
    out = []
    for page in PAGES:
        for index, (lang, body) in enumerate(blocks(page)):
            if kind == "sh" and lang in ("sh", "bash", "shell"):
                out += [("%s: %s" % (page, command[:60]), command) for command in shell_commands(body)]
            if kind == "yaml" and lang == "yaml":
                out.append(("%s block %d" % (page, index + 1), body))
    return out


def substituted(text: str, sim) -> str:
    for example, real in (
        ("cm.example.com", sim.address),
        ("/etc/pki/cm-ca.pem", sim.ca_file),
        ("{{ vault_cm_password }}", sim.password),
        ("username: automation", "username: %s" % sim.username),
    ):
        text = text.replace(example, real)
    return text


def as_playbook(text: str) -> str:
    """A pasted snippet as a runnable playbook: a playbook as is, tasks in a play, play keywords around a listing."""
    data = yaml.safe_load(text)
    if isinstance(data, list) and data and "hosts" in data[0]:
        return yaml.safe_dump(data, sort_keys=False)
    if isinstance(data, list):
        return playbook(*data)
    if isinstance(data, dict):  # play keywords, e.g. module_defaults: run a listing under them
        return playbook(task("listing under these keywords", "ciphertrust.cckm.aws_sync_job_info"), **data)
    raise AssertionError("not a playbook, tasks or play keywords: %r" % text[:80])


def seed(sim) -> None:
    """The demo's finished jobs, CM's target listings holding what the docs name, and a fleet in sync: in every
    scope a newer job of everything that succeeded (the docs' gates pass, as they do on a healthy CM).

    Nothing runs, so that a start in the docs starts (CM refuses a start while a sync runs), and a
    start with ``wait`` waits for a job of a few seconds.
    """
    seed_demo(sim, running_for=0)
    sim.starting.duration = 2.0
    now = time.time()
    listed = set()
    for family in FAMILIES.values():
        if family.targets_path and family.targets_path not in listed:
            listed.add(family.targets_path)
            for name in family.sample_targets or ("partition-1",):
                sim.add_target(family.cloud, name, scope=family.scope)
        sim.add_job(family.cloud, family.scope, filter_values=[], created=now - 120)
    for cloud, values in (("aws", ["kms-dr"]), ("azure", ["vault1", "vault2", "kv-prod-eastus"])):
        for value in values:
            sim.add_target(cloud, value)
            sim.add_job(cloud, filter_values=[value], created=now - 60)


def warnings_in(output: str) -> List[str]:
    lines = [line for line in output.splitlines() if "WARNING" in line]
    return [line for line in lines if not any(notice in line for notice in ANSIBLE_NOTICES)]


def test_every_shell_command_is_run_or_exempt_with_a_reason():
    commands = [command for _name, command in snippets("sh")]
    assert len(commands) >= 8
    unclassified = [c for c in commands if "ansible localhost" not in c and not any(c.startswith(prefix) for prefix in EXEMPT)]
    assert not unclassified, "document how the test runs these, or why it cannot: %s" % unclassified


RUNNABLE = [
    (name, command)
    for name, command in snippets("sh")
    if "ansible localhost" in command and not any(needed in command for needed in NEEDS_OTHER_COLLECTIONS)
]


def returned_data(output: str) -> bool:
    """Whether a command's answer holds data: an ad hoc result with jobs, a schedule, targets...; a jq answer not empty."""
    if "| SUCCESS =>" not in output:
        answer = output.strip()
        return answer not in ("", "null", "[]", "{}") and "null" not in answer.split()
    result = json.loads(output[output.index("=>") + 2 :])
    return bool(
        result.get("sync_jobs")
        or result.get("total")
        or result.get("sync_job")
        or result.get("schedule")
        or result.get("schedules")
        or result.get("targets")
    )


@pytest.mark.parametrize("name, command", RUNNABLE, ids=[name for name, _c in RUNNABLE])
def test_shell_command_returns_data_against_make_simulator(sim, ansible, name, command):
    seed_showcase(sim)  # what `make simulator` holds
    sim.starting.duration = 2.0  # a start with wait: true waits a job of a few seconds
    proc = ansible.shell(substituted(command, sim))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "FAILED" not in output and warnings_in(output) == [], output[-3000:]
    assert returned_data(proc.stdout), "returned nothing against make simulator's seed: " + output[-3000:]
    for secret in sim.secrets_issued():
        assert secret not in output


def is_rulebook(text: str) -> bool:
    data = yaml.safe_load(text)
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "sources" in data[0]


PLAYBOOKS = [(name, text) for name, text in snippets("yaml") if not is_rulebook(text)]
RULEBOOKS = [(name, text) for name, text in snippets("yaml") if is_rulebook(text)]


@pytest.mark.tools  # ansible-rulebook's schema is in the main virtualenv only
@pytest.mark.parametrize("name, text", RULEBOOKS, ids=[name for name, _t in RULEBOOKS])
def test_rulebook_snippet_is_a_valid_rulebook_whose_source_args_work(sim, tmp_path, name, text):
    """A rulebook needs a JVM per run: a snippet is checked against ansible-rulebook's own schema, and its
    source's arguments with the source's own parser (test_rulebook runs the example rulebook for real)."""
    from ansible_rulebook.validators import Validate

    from ansible_collections.ciphertrust.cckm.plugins.module_utils._eda.source import SourceConfig

    data = yaml.safe_load(text)
    Validate.rulebook(data)  # what ansible-rulebook checks first; raises naming what is wrong
    environ = {"CM_ADDRESS": sim.address, "CM_USERNAME": sim.username, "CM_PASSWORD": sim.password, "CM_CA_CERT": sim.ca_file}
    for ruleset in data:
        for source in ruleset["sources"]:
            args = source.get("ciphertrust.cckm.sync_jobs")
            if args is None:
                continue
            if "checkpoint" in args:  # the documented path, in a folder the test can write
                args = dict(args, checkpoint=str(tmp_path / os.path.basename(args["checkpoint"])))
            config = SourceConfig.from_args(args, environ)
            assert config.watches and config.interval > 0


@pytest.mark.parametrize("name, text", PLAYBOOKS, ids=[name for name, _t in PLAYBOOKS])
def test_yaml_snippet_runs_against_the_simulator(sim, ansible, name, text):
    seed(sim)
    run = ansible.playbook(as_playbook(substituted(text, sim)), timeout=180)
    assert run.rc == 0, run.output[-3000:]
    assert warnings_in(run.output) == [], run.output[-3000:]
    assert run.records, "the snippet ran tasks"
