"""Place a stand-in for the get-pip.py script that ansible-test downloads (unreachable offline).

ansible-test bootstraps pip in each sanity virtualenv by running a cached
~/.ansible/test/cache/get_pip_<version>.py with pip's arguments. The stand-in runs ensurepip
and then pip install with those arguments; ensurepip blanks pip's configuration (index,
certificates, find-links) in the environment, so the second pip gets the saved environment.
"""

import os
import re
import sys

import ansible_test

STANDIN = '''"""get-pip.py stand-in written by ciphertrust.cckm's .ci/get_pip_standin.py (no download)."""
import os
import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")  # get-pip.py's own flags, unknown to pip install

saved = dict(os.environ)
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], env=dict(saved))
arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments, env=saved)
'''


def pinned_pip_versions():
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source) as handle:
        return sorted(set(re.findall(r"pip='([0-9.]+)'", handle.read())))


def main():
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    for version in pinned_pip_versions():
        path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        with open(path, "w") as handle:
            handle.write(STANDIN)
        print("get-pip stand-in for pip %s: %s" % (version, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
