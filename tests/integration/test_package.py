"""The built collection tarball: no dev files, installs into a clean path, works from there."""

import os
import subprocess
import sys
import tarfile

import pytest
import yaml

from tests.integration.conftest import ROOT
from tests.unit.test_release import RELEASES
from tests.unit.test_release import plugins as documented_plugins

BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.tools
DEV_ONLY = (".build/", ".ci/", "Makefile", "pyproject.toml", ".gitignore", "tests/output/", "__pycache__", ".git/")


def plugins_in(names):
    """The fully qualified name of every module, filter, role, playbook and event source among a tarball's files."""
    found = set()
    for name in names:
        parts = name.split("/")
        if name.startswith("plugins/modules/") and name.endswith(".py"):
            found.add(parts[-1][: -len(".py")])
        elif name.startswith("plugins/filter/") and name.endswith(".yml"):
            found.add(parts[-1][: -len(".yml")])
        elif name.startswith("roles/") and len(parts) > 2:
            found.add(parts[1])
        elif name.startswith("playbooks/") and name.endswith(".yml"):
            found.add(parts[-1][: -len(".yml")])
        elif name.startswith("extensions/eda/plugins/event_source/") and name.endswith(".py"):
            found.add(parts[-1][: -len(".py")])
    return sorted("ciphertrust.cckm." + plugin for plugin in found if not plugin.startswith("_"))


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
    with open(os.path.join(ROOT, "galaxy.yml")) as galaxy:
        version = yaml.safe_load(galaxy)["version"]
    tarball = dist / ("ciphertrust-cckm-%s.tar.gz" % version)
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
        changelog = archive.extractfile("CHANGELOG.rst").read().decode()
    # a plugin added since the newest release is named when make release writes CHANGELOG.rst (test_release
    # checks it waits for galaxy.yml's next version and a fragment)
    waiting = {"ciphertrust.cckm." + plugin.name for plugin in documented_plugins() if plugin.version_added not in RELEASES}
    unnamed = [name for name in plugins_in(names) if name not in changelog and name not in waiting]
    assert not unnamed, "CHANGELOG.rst names every released plugin: %s" % unnamed
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


def _install_offline(requirements, cwd, target):
    clean_env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    return subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "install", "--offline", "-r", requirements, "-p", str(target)],
        capture_output=True,
        text=True,
        check=False,
        cwd=str(cwd),
        env=clean_env,
    )


def test_make_ee_context_builds_an_execution_environment_context_from_the_tarball(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    proc = subprocess.run(
        ["make", "-s", "ee-context"], cwd=ROOT, capture_output=True, text=True, check=False, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = os.path.join(ROOT, ".build", "ee", "context", "_build")
    assert os.path.isfile(os.path.join(build, "collections", "ciphertrust-cckm.tar.gz"))
    containerfile = open(os.path.join(ROOT, ".build", "ee", "context", "Containerfile")).read()
    assert "COPY _build /build" in containerfile and "ansible-galaxy collection install" in containerfile
    # what the image's galaxy stage runs, in its /build directory: the collection installs from the tarball
    install = _install_offline("requirements.yml", build, tmp_path / "collections")
    assert install.returncode == 0, install.stdout + install.stderr
    assert (tmp_path / "collections" / "ansible_collections" / "ciphertrust" / "cckm" / "MANIFEST.json").is_file()


def test_an_awx_project_installs_the_collection_from_a_committed_tarball(tmp_path):
    build = subprocess.run(
        [os.path.join(BIN, "ansible-galaxy"), "collection", "build", ROOT, "--output-path", str(tmp_path / "dist")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert build.returncode == 0, build.stderr
    project = tmp_path / "project"
    (project / "collections").mkdir(parents=True)
    tarball = next((tmp_path / "dist").iterdir())
    tarball.rename(project / "collections" / "ciphertrust-cckm.tar.gz")
    requirements = os.path.join(ROOT, "docs", "awx", "collections", "requirements-from-tarball.yml")
    (project / "collections" / "requirements.yml").write_text(open(requirements).read())
    install = _install_offline("collections/requirements.yml", project, tmp_path / "installed")
    assert install.returncode == 0, install.stdout + install.stderr
    assert (tmp_path / "installed" / "ansible_collections" / "ciphertrust" / "cckm" / "MANIFEST.json").is_file()


def test_the_readme_finds_the_release_commit_in_a_clone_without_tags():
    """README's install from source: the command it gives checks out the release it names, tags or no tags."""
    import re

    with open(os.path.join(ROOT, "README.md")) as handle:
        readme = handle.read()
    release = re.search(r"The current release is \*\*(\d+\.\d+\.\d+)\*\*", readme).group(1)
    found = re.search(r'^git checkout "\$\((git log [^)]*)\)"', readme, re.M)
    assert found, "README gives the command that finds the release commit"
    assert "'^Release %s'" % release in found.group(1), "it finds the current release"
    commit = subprocess.run(["bash", "-c", found.group(1)], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", commit), "no commit found by: " + found.group(1)
    galaxy = subprocess.run(["git", "show", "%s:galaxy.yml" % commit], cwd=ROOT, capture_output=True, text=True, check=True)
    assert yaml.safe_load(galaxy.stdout)["version"] == release
