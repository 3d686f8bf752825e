""".ci/find-python, which picks the interpreter each cached virtualenv is built from.

make puts the main virtualenv's bin first on PATH, so the first python3.11 there is a virtualenv's:
find-python must pass over it and name a base interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIND_PYTHON = os.path.join(ROOT, ".ci", "find-python")
WANT = "%d.%d" % sys.version_info[:2]


def find_python(path: str, want: str = WANT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=path)
    return subprocess.run([FIND_PYTHON, want], env=env, capture_output=True, text=True, timeout=60, check=False)


def is_virtualenv(python: str) -> bool:
    probe = subprocess.run(
        [python, "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return probe.stdout.strip() == "True"


def test_a_virtualenv_first_on_path_is_passed_over_for_a_base_interpreter(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], timeout=120, check=True)
    venv_python = str(venv / "bin" / ("python" + WANT))
    assert os.path.exists(venv_python) and is_virtualenv(venv_python)
    found = find_python(str(venv / "bin") + os.pathsep + os.environ["PATH"])
    assert found.returncode == 0, found.stderr
    chosen = found.stdout.strip()
    assert chosen != venv_python and not chosen.startswith(str(venv))
    assert not is_virtualenv(chosen), chosen


def test_a_python_that_is_nowhere_is_reported_with_what_was_tried():
    found = find_python(os.environ["PATH"], want="2.1")
    assert found.returncode == 1 and found.stdout == ""
    assert "no working Python 2.1" in found.stderr and "on PATH, outside virtualenvs" in found.stderr


def test_the_operating_systems_python_is_preferred_to_pyenvs_even_after_it_on_path(tmp_path):
    base = find_python(os.environ["PATH"]).stdout.strip()
    assert base, "a base Python %s to link to" % WANT
    shims, system = tmp_path / ".pyenv" / "shims", tmp_path / "usr" / "bin"
    for folder in (shims, system):
        folder.mkdir(parents=True)
        (folder / ("python" + WANT)).symlink_to(base)
    found = find_python(os.pathsep.join([str(shims), str(system), os.environ["PATH"]]))
    assert found.returncode == 0 and found.stdout.strip() == str(system / ("python" + WANT)), found.stdout + found.stderr
