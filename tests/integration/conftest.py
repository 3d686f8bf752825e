"""Run real ansible-playbook and ansible commands against the simulator over HTTPS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any, Dict, List, Optional

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


class Run:
    """What one ansible command did: exit code, output, and every task result recorded."""

    def __init__(self, proc: subprocess.CompletedProcess, records: List[Dict[str, Any]]) -> None:
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.records = records

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def flat_output(self) -> str:
        """The output with every run of whitespace as one space: ansible-core before 2.19 wraps warnings at 80 columns."""
        return " ".join(self.output.split())

    def result(self, task: str) -> Dict[str, Any]:
        """The last recorded result of the task whose name starts with ``task``."""
        return self._record(task)["result"]

    def status(self, task: str) -> str:
        return self._record(task)["status"]

    def item_results(self, task: str) -> List[Dict[str, Any]]:
        """Each loop item's result of a looped task, with ``failed`` set from the callback Ansible called for it.

        Fails loudly when the items recorded do not match the task's ``results``: an item's outcome is
        never guessed from a missing key (ansible-core 2.21 hands callbacks no ``failed`` key).
        """
        record = self._record(task)
        items = record.get("items")
        listed = record["result"].get("results")
        assert items is not None and isinstance(listed, list), "task %r did not loop: %r" % (task, record["result"])
        assert len(items) == len(listed), "task %r: %d item callbacks for %d results" % (task, len(items), len(listed))
        for item in items:
            assert item["status"] in ("ok", "failed", "skipped"), "task %r: item status %r" % (task, item["status"])
        return [dict(item["result"], failed=item["status"] == "failed") for item in items]

    def _record(self, task: str) -> Dict[str, Any]:
        matches = [r for r in self.records if r["task"].startswith(task)]
        assert matches, "no result for task %r in %s\n%s" % (task, [r["task"] for r in self.records], self.output)
        return matches[-1]


class Ansible:
    """Runs ansible commands with the collection, the simulator's CM_* variables and a recorder."""

    def __init__(self, sim: Any, tmp_path: Any, local_temp: Any = None) -> None:
        self.sim = sim
        self.tmp = tmp_path
        self.count = 0
        # Ansible's local temp holds the AnsiballZ cache: shared by a session's runs, each module is built once
        self.local_temp = local_temp or tmp_path / "ansible-local"

    def env(self, **overrides: Optional[str]) -> Dict[str, str]:
        env = dict(os.environ)
        env.update(
            ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, "tests", "integration", "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="record",
            ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            ANSIBLE_LOCAL_TEMP=str(self.local_temp),
            ANSIBLE_RETRY_FILES_ENABLED="0",
            CM_ADDRESS=self.sim.address,
            CM_USERNAME=self.sim.username,
            CM_PASSWORD=self.sim.password,
            CM_CA_CERT=self.sim.ca_file,
        )
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def _run(self, argv: List[str], env: Dict[str, str], timeout: float) -> Run:
        self.count += 1
        module_python = os.environ.get("CCKM_MODULE_PYTHON")
        if module_python:  # make test-matrix: the modules run on another Python than the controller
            argv = argv + ["-e", "ansible_python_interpreter=%s" % module_python]
        record = self.tmp / ("records-%d.jsonl" % self.count)
        env["CCKM_RECORD_FILE"] = str(record)
        proc = subprocess.run(
            argv,
            env=env,
            cwd=str(self.tmp),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        records = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
        return Run(proc, records)

    def playbook(self, text: str, *args: str, timeout: float = 240, **env: Optional[str]) -> Run:
        """Run ``text`` (a YAML playbook) with ansible-playbook; extra ``args`` such as --check or -vvv."""
        path = self.tmp / ("playbook-%d.yml" % (self.count + 1))
        path.write_text(textwrap.dedent(text))
        return self._run([os.path.join(BIN, "ansible-playbook"), str(path), *args], self.env(**env), timeout)

    def playbook_file(self, path: str, *args: str, timeout: float = 240, **env: Optional[str]) -> Run:
        return self._run([os.path.join(BIN, "ansible-playbook"), path, *args], self.env(**env), timeout)

    def adhoc(self, module: str, module_args: str = "", *args: str, timeout: float = 120, **env: Optional[str]) -> Run:
        """``ansible localhost -m <module> -a <args>``, as a user types it."""
        argv = [os.path.join(BIN, "ansible"), "localhost", "-m", module]
        if module_args:
            argv += ["-a", module_args]
        return self._run(argv + list(args), self.env(**env), timeout)

    def shell(self, command: str, cwd: Optional[str] = None, timeout: float = 180) -> subprocess.CompletedProcess:
        """``command`` pasted into bash (``pipefail``), the virtualenv's ansible first on PATH, in ``cwd``
        (default: this test's directory), as a reader runs a documented command."""
        return subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            env=self.env(PATH=BIN + os.pathsep + os.environ.get("PATH", "")),
            cwd=cwd or str(self.tmp),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def command(self, *argv: str, timeout: float = 120, **env: Optional[str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            [os.path.join(BIN, argv[0]), *argv[1:]],
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )


@pytest.fixture
def ansible(sim, tmp_path, ansible_local_temp):
    return Ansible(sim, tmp_path, ansible_local_temp)


@pytest.fixture(scope="session")
def ansible_local_temp(tmp_path_factory):
    """One Ansible local temp for the session's runs (its AnsiballZ cache is safe to share: a lock and a rename)."""
    return tmp_path_factory.mktemp("ansible-local")


@pytest.fixture(params=["exact", "lenient"])
def both_status_filters(request, sim):
    """Run the test against a CM whose overall_status filter matches one spelling, and one that matches all."""
    sim.status_filter = request.param
    return request.param
