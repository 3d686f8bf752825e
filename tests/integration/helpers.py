"""Helpers the integration tests share: playbooks built as data, ansible-runner as AWX runs it, secret scans."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)

# ansible-runner writes its whole process environment, env/envvars included, into
# artifacts/<ident>/command (mode 0600, not published by AWX): the one file the scan may not read.
RUNNER_ENV_DUMP = "command"


def task(name: str, action: str, args: Optional[Dict[str, Any]] = None, **keywords: Any) -> Dict[str, Any]:
    """One task: ``{name, <action>: args, **keywords}``."""
    return dict({"name": name, action: args if args is not None else {}}, **keywords)


def playbook(*tasks: Dict[str, Any], hosts: str = "localhost", **play: Any) -> str:
    """A one-play playbook as YAML text (quoting left to the YAML dumper)."""
    return yaml.safe_dump([dict({"hosts": hosts, "gather_facts": False, "tasks": list(tasks)}, **play)], sort_keys=False)


def wait_playbook(**args: Any) -> str:
    """A playbook whose one task, ``wait``, runs sync_job_wait with ``args``."""
    return playbook(task("wait", "ciphertrust.cckm.sync_job_wait", args))


def role_playbook(hosts: str = "localhost", **role_vars: Any) -> str:
    """The wait_for_sync role with ``role_vars`` (values as a survey or playbook gives them), then its result."""
    return playbook(
        task("run role", "ansible.builtin.import_role", {"name": "ciphertrust.cckm.wait_for_sync"}, vars=role_vars),
        task("show result", "ansible.builtin.debug", {"var": "wait_for_sync_result"}),
        hosts=hosts,
    )


def local_inventory(path: Any, hosts: Dict[str, Dict[str, Any]], **group_vars: Any) -> str:
    """An inventory file at ``path``: group ``cms`` of ``hosts`` (each with its own variables), all run locally with
    the tests' Python, with ``group_vars``; returns the path to give ``-i``."""
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    path.write_text(yaml.safe_dump({"cms": {"vars": dict(local, **group_vars), "hosts": hosts}}))
    return str(path)


# -- ansible-runner, fed as AWX feeds it ------------------------------------------------------------


def private_data_dir(
    tmp_path: Any,
    sim: Any,
    extravars: Dict[str, Any],
    playbook_file: Optional[str] = None,
    envvars: Optional[Dict[str, str]] = None,
) -> Any:
    """An ansible-runner private data dir: the job template's playbook, the credential's env, survey answers."""
    pdd = tmp_path / "pdd"
    (pdd / "env").mkdir(parents=True)
    (pdd / "project").mkdir()
    (pdd / "inventory").mkdir()
    source = playbook_file or os.path.join(ROOT, "docs", "awx", "wait_for_sync_job_template.yml")
    shutil.copy(source, pdd / "project" / "job.yml")
    module_python = os.environ.get("CCKM_MODULE_PYTHON") or sys.executable
    (pdd / "inventory" / "hosts").write_text("localhost ansible_connection=local ansible_python_interpreter=%s\n" % module_python)
    if envvars is None:  # what the credential injects, minimally
        envvars = {
            "CM_ADDRESS": sim.address,
            "CM_USERNAME": sim.username,
            "CM_PASSWORD": sim.password,
            "CM_CA_CERT": sim.ca_file,
            "CM_DOMAIN": "",
            "CM_REFRESH_TOKEN": "",
        }
    envvars = dict(envvars, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"))
    (pdd / "env" / "envvars").write_text(json.dumps(envvars))
    # AWX passes text answers as !unsafe strings, numbers and multiple choices as they are
    lines = [
        "%s: %s%s\n" % (key, "!unsafe " if isinstance(value, str) else "", json.dumps(value)) for key, value in extravars.items()
    ]
    (pdd / "env" / "extravars").write_text("".join(lines) or "{}\n")
    return pdd


def run_runner(pdd: Any, ident: str, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""))
    for key in [k for k in env if k.startswith("CM_")]:
        del env[key]  # only what AWX injects
    return subprocess.run(
        [os.path.join(BIN, "ansible-runner"), "run", str(pdd), "-p", "job.yml", "--ident", ident, *extra],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=240,
    )


def runner_events(pdd: Any, ident: str) -> List[Dict[str, Any]]:
    folder = pdd / "artifacts" / ident / "job_events"
    return [json.loads(path.read_text()) for path in sorted(folder.iterdir())]


def runner_stats(pdd: Any, ident: str) -> Dict[str, Any]:
    """What set_stats published (AWX's artifacts)."""
    return [e for e in runner_events(pdd, ident) if e["event"] == "playbook_on_stats"][0]["event_data"]["artifact_data"]


def scan_for_secrets(pdd: Any, secrets: List[str]) -> Tuple[List[Tuple[str, str]], int]:
    """Every file under artifacts/ but the runner's environment dump; returns (hits, files scanned)."""
    hits, scanned = [], 0
    for folder, _dirs, files in os.walk(pdd / "artifacts"):
        for name in files:
            path = os.path.join(folder, name)
            if name == RUNNER_ENV_DUMP:
                assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
                continue
            scanned += 1
            with open(path, errors="replace") as handle:
                text = handle.read()
            hits += [(path, secret[:6]) for secret in secrets if secret in text]
    return hits, scanned


# -- ansible-rulebook with the example rulebook ------------------------------------------------------

RULEBOOK = os.path.join(ROOT, "extensions", "eda", "rulebooks", "cckm_sync_jobs.yml")
STALE_RULEBOOK = os.path.join(ROOT, "extensions", "eda", "rulebooks", "cckm_stale_targets.yml")
EDA_INVENTORY = os.path.join(ROOT, "docs", "eda", "inventory.yml")


@contextlib.contextmanager
def running_rulebook(folder: Any, env: Dict[str, str], rulebook_vars: Dict[str, Any], rulebook: str = RULEBOOK) -> Iterator[Any]:
    """An example rulebook run by ansible-rulebook with ``rulebook_vars``; yields its log file, stops it after."""
    (folder / "vars.yml").write_text(yaml.safe_dump(rulebook_vars))
    argv = [os.path.join(BIN, "ansible-rulebook"), "-r", rulebook, "-i", EDA_INVENTORY]  # the inventory docs/eda ships
    argv += ["--vars", str(folder / "vars.yml"), "-E", "CM_ADDRESS,CM_USERNAME,CM_PASSWORD,CM_CA_CERT"]
    log = folder / "rulebook.log"
    env = dict(env, PATH=BIN + os.pathsep + env.get("PATH", ""))
    with open(log, "w") as output:
        process = subprocess.Popen(
            argv, env=env, cwd=str(folder), stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def checkpoint_running(checkpoint: Any, watch: str) -> List[str]:
    """Ids the event source's checkpoint lists as running for ``watch`` (``aws/keys``)."""
    try:
        return list(json.loads(checkpoint.read_text())["watches"][watch]["running"])
    except (OSError, ValueError, KeyError):
        return []


def wait_for(condition: Any, timeout: float, step: float = 0.2) -> bool:
    """Poll ``condition()`` until it holds or ``timeout`` seconds pass (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def debug_fired_at(output: str, job_id: str) -> Optional[float]:
    """When ansible-rulebook's debug action printed a line about ``job_id`` (``** <local time> [debug] ***``)."""
    pattern = r"\*\* (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \[debug\][^\n]*\n[^\n]*%s" % re.escape(job_id)
    stamps = re.findall(pattern, output)
    return datetime.datetime.strptime(stamps[0], "%Y-%m-%d %H:%M:%S.%f").timestamp() if stamps else None
