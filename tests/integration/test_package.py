"""The built collection tarball: no dev files, installs into a clean path, works from there."""

import os
import subprocess
import sys
import tarfile

import pytest

from tests.integration.conftest import ROOT

BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.tools
DEV_ONLY = (".build/", ".ci/", "Makefile", "pyproject.toml", ".gitignore", "tests/output/", "__pycache__", ".git/")


def test_tarball_installs_into_a_clean_path_and_runs(sim, ansible, tmp_path):
    dist = tmp_path / "dist"
    build = subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "build", ROOT, "--output-path", str(dist)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr
    tarball = dist / "ciphertrust-cckm-0.1.0.tar.gz"
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "plugins/modules/sync_job_wait.py" in names and "roles/wait_for_sync/tasks/main.yml" in names
    assert "meta/execution-environment.yml" in names and "requirements.txt" in names and "CHANGELOG.rst" in names
    leaked = [n for n in names if any(n == d.rstrip("/") or n.startswith(d) or ("/" + d) in ("/" + n) for d in DEV_ONLY)]
    assert leaked == []

    installed = tmp_path / "collections"
    # without the caller's collection paths, or ansible-galaxy finds the work tree and installs nothing
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    install = subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "-p", str(installed), str(tarball)],
        capture_output=True,
        text=True,
        check=False,
        env=clean_env,
    )
    assert install.returncode == 0, install.stderr
    assert (installed / "ansible_collections" / "ciphertrust" / "cckm" / "MANIFEST.json").is_file(), install.stdout
    sim.add_job("google", duration=2, starts_when_seen=True)
    run = ansible.playbook(
        """
        - hosts: localhost
          gather_facts: false
          tasks:
            - name: wait
              ciphertrust.cckm.sync_job_wait: {cloud: google, poll_interval: 0.5}
            - name: where
              ansible.builtin.debug:
                msg: "{{ lookup('ansible.builtin.config', 'COLLECTIONS_PATHS') }}"
        """,
        ANSIBLE_COLLECTIONS_PATH=str(installed),
    )
    assert run.rc == 0, run.output
    assert run.result("wait")["summary"]["succeeded"] == 1
    assert run.result("where")["msg"] == [str(installed)]


def test_execution_environment_introspection_lists_requests_only(tmp_path):
    """What ansible-builder puts in an EE for this collection: requests, and no system package."""
    import yaml

    collections = tmp_path / "collections"
    (collections / "ansible_collections" / "ciphertrust").mkdir(parents=True)
    os.symlink(ROOT, collections / "ansible_collections" / "ciphertrust" / "cckm")
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize", str(collections)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = yaml.safe_load(proc.stdout.split("---", 1)[1])
    assert data["python"] == ["requests>=2.25  # from collection ciphertrust.cckm"]
    assert data["system"] == []


def test_example_execution_environment_file_is_valid(tmp_path):
    """ansible-builder accepts the users' example EE definition (create writes a build context, no engine needed)."""
    context = tmp_path / "context"
    proc = subprocess.run(
        [
            os.path.join(BIN, "ansible-builder"),
            "create",
            "-f",
            os.path.join(ROOT, "docs", "ee", "execution-environment.yml"),
            "-c",
            str(context),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    containerfile = (context / "Dockerfile").read_text()  # ansible-builder names it so by default
    assert "ansible-galaxy collection install" in containerfile or "_build/requirements.yml" in containerfile
    assert "ciphertrust.cckm" in (context / "_build" / "requirements.yml").read_text()
