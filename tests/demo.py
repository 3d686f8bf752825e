"""`make demo`: start the CM simulator with sample jobs for every cloud, run the example playbook, stop."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.simulator import Simulator  # noqa: E402
from tests.simulator.seed import seed_demo  # noqa: E402


def main() -> int:
    with Simulator() as sim:
        # CCKM_DEMO_RUNNING_FOR: seconds the running jobs take (0: none running); the tests shorten it.
        seed_demo(sim, running_for=float(os.environ.get("CCKM_DEMO_RUNNING_FOR", "15")))
        print("CipherTrust Manager simulator on https://%s (CA %s)\n" % (sim.address, sim.ca_file), flush=True)
        env = dict(
            os.environ,
            CM_ADDRESS=sim.address,
            CM_USERNAME=sim.username,
            CM_PASSWORD=sim.password,
            CM_CA_CERT=sim.ca_file,
            ANSIBLE_LOCALHOST_WARNING="0",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
            ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
        )
        playbook = os.path.join(ROOT, "docs", "examples", "sync_status_report.yml")
        ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        return subprocess.call([ansible_playbook, playbook], env=env, stdin=subprocess.DEVNULL, timeout=300)


if __name__ == "__main__":
    sys.exit(main())
