"""`make simulator` as a user runs it: the export lines it prints point ansible at it, and it fires schedules."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import requests

from tests.integration.conftest import BIN, ROOT

ANSIBLE = os.path.join(BIN, "ansible")


def test_the_printed_exports_drive_an_ad_hoc_command_and_due_schedules_run(tmp_path):
    argv = [sys.executable, "-m", "tests.simulator", "--port", "0", "--seed", "demo", "--running-for", "1"]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        printed = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(line.startswith("export ") for line in printed) < 4:
            printed.append(proc.stdout.readline())
        exports = [line for line in printed if line.startswith("export ")]
        assert sorted(re.findall(r"^export (CM_\w+)=", "".join(exports), re.M)) == [
            "CM_ADDRESS",
            "CM_CA_CERT",
            "CM_PASSWORD",
            "CM_USERNAME",
        ], printed
        (tmp_path / "cm.env").write_text("".join(exports))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CM_")}
        env["ANSIBLE_COLLECTIONS_PATH"] = os.path.join(ROOT, ".build", "collections")

        def adhoc(module, args):
            script = ". %s && %s localhost -m ciphertrust.cckm.%s -a %s" % (tmp_path / "cm.env", ANSIBLE, module, args)
            done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            return json.loads(done.stdout[done.stdout.index("{") :])

        assert adhoc("aws_sync_job_info", "summary_only=true")["total"] > 0  # the demo's seeded jobs
        adhoc("sync_schedule", "\"name=every-minute cloud=sap groups=g1 run_at='* * * * *'\"")
        # CM's scheduler fires a due schedule; the simulator started this way does too, from the next minute
        # on. Its clock is moved a minute ahead (POST /_sim/advance) instead of waiting for that minute.
        address = re.search(r"^export CM_ADDRESS=(\S+)", "".join(exports), re.M).group(1)
        ca_file = re.search(r"^export CM_CA_CERT=(\S+)", "".join(exports), re.M).group(1)
        answer = requests.post("https://%s/_sim/advance" % address, json={"seconds": 61}, verify=ca_file, timeout=10)
        assert answer.status_code == 200, answer.text
        fired = []
        for _poll in range(10):
            fired = adhoc("sync_schedule_info", "name=every-minute")["schedules"][0]["last_runs"]
            if fired:
                break
            time.sleep(0.5)  # the simulator's scheduler ticks every half second
        assert fired and fired[0]["state"] in ("in_progress", "succeeded"), "the due schedule never ran"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
