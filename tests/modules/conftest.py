"""In-process module tests: a module's main() run in this process against the simulator over HTTPS.

An ansible-playbook run costs about a second of CPU; a module's main() costs milliseconds. Option and
validation cases run here; the integration tests keep the real playbooks for the user's paths.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
from typing import Any, Dict, Iterator, Optional

import pytest
from ansible.module_utils import basic
from ansible.module_utils.common import warnings

try:  # ansible-core 2.19+: the supported way to hand a module its arguments
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # 2.16-2.18 read the arguments from basic._ANSIBLE_ARGS

    @contextlib.contextmanager
    def patch_module_args(args: Optional[Dict[str, Any]] = None) -> Iterator[None]:
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode()
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


class ModuleRunner:
    """Runs ``ciphertrust.cckm.<name>`` in-process with the simulator's CM_* variables."""

    def __init__(self, sim: Any, monkeypatch: Any) -> None:
        self.sim = sim
        connection = {
            "CM_ADDRESS": sim.address,
            "CM_USERNAME": sim.username,
            "CM_PASSWORD": sim.password,
            "CM_CA_CERT": sim.ca_file,
        }
        for key, value in connection.items():
            monkeypatch.setenv(key, value)

    def __call__(self, name: str, args: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """The module's result as Ansible would get it, with ``failed`` always set."""
        module = importlib.import_module("ansible_collections.ciphertrust.cckm.plugins.modules.%s" % name)
        warnings._global_warnings.clear()
        warnings._global_deprecations.clear()
        out = io.StringIO()
        with patch_module_args(dict(args or {})), contextlib.redirect_stdout(out):
            with pytest.raises(SystemExit):
                module.main()
        text = out.getvalue()
        assert text.strip(), "%s printed nothing" % name
        assert "Traceback" not in text, text
        result = json.loads(text)
        result.setdefault("failed", False)
        return result


@pytest.fixture
def run_module(sim, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    for key in [key for key in os.environ if key.startswith("CM_")]:
        monkeypatch.delenv(key)
    return ModuleRunner(sim, monkeypatch)
