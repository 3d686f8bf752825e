"""`make demo`: start the CM simulator holding a fleet (every verdict in every cloud), run the sync_report role
through docs/examples/sync_report.yml, say where the report is and what to try next, stop."""

from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.simulator import Simulator  # noqa: E402
from tests.simulator.seed import seed_showcase  # noqa: E402

REPORT_DIR = os.path.join(ROOT, ".build", "demo-report")

NEXT = """
The report of this run:
  page     {page}
  summary  {summary}
  metrics  {metrics}
Open the page in a browser (file://{page}); at the top, what needs attention, each target with its next step.

What to try next:
  make simulator                  the same CM, kept running; it prints the lines that point a second shell at it
  ansible localhost -m ciphertrust.cckm.sync_status -a 'clouds=aws max_age=12h'
  ansible localhost -m ciphertrust.cckm.aws_sync_job_info -a 'overall_status=in_progress'
  ansible-playbook docs/examples/sync_report.yml
  README.md, "Ad hoc" and "In a playbook": every example there returns data against make simulator.
"""


def main() -> int:
    with Simulator() as sim:
        seed_showcase(sim)
        print("CipherTrust Manager simulator on https://%s (CA %s), holding a fleet\n" % (sim.address, sim.ca_file), flush=True)
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
        playbook = os.path.join(ROOT, "docs", "examples", "sync_report.yml")
        ansible_playbook = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
        argv = [ansible_playbook, playbook, "-e", "sync_report_dir=%s" % REPORT_DIR]
        code = subprocess.call(argv, env=env, stdin=subprocess.DEVNULL, timeout=300)
    if code == 0:
        page = os.path.join(REPORT_DIR, "index.html")
        summary = os.path.join(REPORT_DIR, "summary.md")
        print(NEXT.format(page=page, summary=summary, metrics=os.path.join(REPORT_DIR, "cckm_sync.prom")), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
